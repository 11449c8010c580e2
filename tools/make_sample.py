#!/usr/bin/python3
"""Regenerate QuantFold's bundled sample model in resources/sample/.

Trains a small CNN with BatchNorm layers on scikit-learn's digits data set (8x8 digits,
upscaled to 16x16), then writes it as ONNX and as Caffe (deploy.prototxt + caffemodel),
together with 200 test images, their labels and a README. Every file written is read
back and checked: both model files are executed by small numpy interpreters and must
agree with each other and with the trained network.

Run from anywhere with Debian's Python (the pyenv `python3` lacks the packages):

    /usr/bin/python3 tools/make_sample.py

Needs the Debian packages python3-numpy python3-sklearn python3-onnx python3-protobuf
protobuf-compiler tiny-dnn (the last one only for its caffe.proto).
"""

import os

# One BLAS thread: keeps results reproducible run to run and leaves the other cores alone.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import importlib
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "resources" / "sample"
CAFFE_PROTO = Path("/usr/include/tiny_dnn/io/caffe/caffe.proto")

SEED = 0
NUM_CLASSES = 10
IMAGE_SIZE = 16
IMAGES_PER_CLASS = 20  # bundled test images per class -> 200 images

# Preprocessing, in the order the QuantFold CLI applies it: x = (pixel * scale - mean) / std.
PIXEL_SCALE = np.float32(1.0 / 255.0)
PIXEL_MEAN = np.float32(0.5)
PIXEL_STD = np.float32(0.5)

BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # PyTorch convention: running = (1 - m) * running + m * batch

# (name, input channels, output channels, conv has bias, pooling after ReLU)
BLOCKS = [
    ("conv1", 3, 8, False, "max"),
    ("conv2", 8, 16, False, "max"),
    ("conv3", 16, 16, True, "global_avg"),
]
FC_IN = BLOCKS[-1][2]

# Caffe's BatchNorm stores mean*sf and var*sf plus the factor sf itself. A factor other
# than 1 on conv3 makes sure importers really divide by it.
CAFFE_BN_SCALE_FACTOR = {"conv1": 1.0, "conv2": 1.0, "conv3": 2.0}

EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 0.005
WEIGHT_DECAY = 1e-4

MIN_ACCURACY = 0.95
MAX_FORMAT_DIFF = 1e-5


# ----------------------------------------------------------------------------- data

def bilinear_matrix(src, dst):
    """Row-interpolation matrix for bilinear resizing with half-pixel centres
    (what OpenCV's INTER_LINEAR and PIL do), so img_dst = M @ img_src @ M.T."""
    m = np.zeros((dst, src), dtype=np.float64)
    for i in range(dst):
        pos = (i + 0.5) * src / dst - 0.5
        pos = min(max(pos, 0.0), src - 1.0)
        lo = int(np.floor(pos))
        hi = min(lo + 1, src - 1)
        frac = pos - lo
        m[i, lo] += 1.0 - frac
        m[i, hi] += frac
    return m


def load_digit_images():
    """The 1,797 sklearn digits as 16x16 uint8 grey images (0..255) and integer labels.

    The 8x8 originals hold counts 0..16; they are upscaled and quantised to 8 bits here,
    so the network is trained on exactly the pixel values the bundled PNGs contain."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    m = bilinear_matrix(8, IMAGE_SIZE)
    upscaled = np.einsum("ij,njk,lk->nil", m, digits.images, m)
    grey = np.clip(np.round(upscaled * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    return grey, digits.target.astype(np.int64)


def preprocess(grey_u8):
    """uint8 grey images (N, H, W) -> float32 NCHW network input with R = G = B."""
    x = (grey_u8.astype(np.float32) * PIXEL_SCALE - PIXEL_MEAN) / PIXEL_STD
    return np.repeat(x[:, None, :, :], 3, axis=1)


def split_train_test(labels):
    """Stratified 75/25 split of the sample indices (fixed random_state)."""
    from sklearn.model_selection import train_test_split

    indices = np.arange(len(labels))
    return train_test_split(indices, test_size=0.25, stratify=labels, random_state=0)


def pick_bundled_images(test_idx, labels):
    """The first IMAGES_PER_CLASS test images of every class, kept in test-split order so
    that the classes are interleaved in the bundled file list."""
    chosen = []
    for c in range(NUM_CLASSES):
        chosen.extend([i for i in test_idx if labels[i] == c][:IMAGES_PER_CLASS])
    order = {idx: pos for pos, idx in enumerate(test_idx)}
    return sorted(chosen, key=order.__getitem__)


# ----------------------------------------------------------------------------- PNG I/O
# Neither PIL nor OpenCV is available to Debian's Python here, and 8-bit RGB PNG is
# simple enough to write and read with zlib alone.

def _png_chunk(tag, data):
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def write_png_rgb(path, rgb):
    """Writes an (H, W, 3) uint8 array as an 8-bit RGB PNG (no filtering)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(h))
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
                           + _png_chunk(b"IDAT", zlib.compress(raw, 9))
                           + _png_chunk(b"IEND", b""))


def read_png_rgb(path):
    """Reads back a PNG written by write_png_rgb (8-bit RGB, filter type 0 only)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 2, 0), path
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + 3 * w)
    assert not rows[:, 0].any(), f"{path}: unsupported PNG row filter"
    return rows[:, 1:].reshape(h, w, 3)


# ----------------------------------------------------------------------------- layers
# Inference-mode primitives. The trained network, the ONNX interpreter and the Caffe
# interpreter are all built from these, so a disagreement points at a file, not the math.

def conv_im2col(x, k, pad):
    """(N, C, H, W) -> (N*H*W, C*k*k) patches for a stride-1 'same' convolution."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    ho, wo = win.shape[2], win.shape[3]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * k * k), (n, ho, wo)


def conv2d(x, weight, bias=None, pad=1):
    cols, (n, ho, wo) = conv_im2col(x, weight.shape[2], pad)
    out = cols @ weight.reshape(weight.shape[0], -1).T
    if bias is not None:
        out = out + bias
    return out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2)


def batchnorm_inference(x, gamma, beta, mean, var, eps=BN_EPS):
    inv_std = (1.0 / np.sqrt(var + var.dtype.type(eps))).astype(var.dtype)
    s = (gamma * inv_std)[None, :, None, None]
    return (x - mean[None, :, None, None]) * s + beta[None, :, None, None]


def relu(x):
    return np.maximum(x, 0)


def maxpool2x2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def global_avg_pool(x):
    return x.mean(axis=(2, 3), keepdims=True)


def fully_connected(x, weight, bias):
    """Gemm(transB=1) / Caffe InnerProduct: flattens x to (N, -1) first."""
    return x.reshape(x.shape[0], -1) @ weight.T + bias


def forward_inference(params, x):
    """The exported network: BatchNorm uses the running statistics."""
    h = x
    for name, _, _, has_bias, pool in BLOCKS:
        h = conv2d(h, params[f"{name}.weight"], params.get(f"{name}.bias"))
        h = batchnorm_inference(h, params[f"{name}.bn.gamma"], params[f"{name}.bn.beta"],
                                params[f"{name}.bn.mean"], params[f"{name}.bn.var"])
        h = relu(h)
        h = maxpool2x2(h) if pool == "max" else global_avg_pool(h)
    return fully_connected(h, params["fc.weight"], params["fc.bias"])


# ----------------------------------------------------------------------------- training

def init_params(rng):
    params = {}
    for name, cin, cout, has_bias, _ in BLOCKS:
        fan_in = cin * 9
        params[f"{name}.weight"] = (rng.standard_normal((cout, cin, 3, 3))
                                    * np.sqrt(2.0 / fan_in)).astype(np.float32)
        if has_bias:
            params[f"{name}.bias"] = np.zeros(cout, np.float32)
        params[f"{name}.bn.gamma"] = np.ones(cout, np.float32)
        params[f"{name}.bn.beta"] = np.zeros(cout, np.float32)
        params[f"{name}.bn.mean"] = np.zeros(cout, np.float32)
        params[f"{name}.bn.var"] = np.ones(cout, np.float32)
    params["fc.weight"] = (rng.standard_normal((NUM_CLASSES, FC_IN))
                           * np.sqrt(1.0 / FC_IN)).astype(np.float32)
    params["fc.bias"] = np.zeros(NUM_CLASSES, np.float32)
    return params


# Running statistics are updated by the forward pass, not by the optimiser.
RUNNING_STATS = (".bn.mean", ".bn.var")


def conv_backward(dout, cols, x_shape, weight, pad=1):
    """Gradients of conv2d w.r.t. its weight and input (stride 1)."""
    n, c, h, w = x_shape
    cout, _, k, _ = weight.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, cout)
    dweight = (d.T @ cols).reshape(weight.shape)
    dcols = (d @ weight.reshape(cout, -1)).reshape(n, h, w, c, k, k)
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), np.float32)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + w] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dweight, d.sum(axis=0), dxp[:, :, pad:pad + h, pad:pad + w]


def batchnorm_train_forward(x, gamma, beta):
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    inv_std = 1.0 / np.sqrt(var + np.float32(BN_EPS))
    xhat = (x - mean[None, :, None, None]) * inv_std[None, :, None, None]
    y = xhat * gamma[None, :, None, None] + beta[None, :, None, None]
    return y, (xhat, inv_std, mean, var)


def batchnorm_train_backward(dy, gamma, cache):
    xhat, inv_std, _, _ = cache
    m = dy.shape[0] * dy.shape[2] * dy.shape[3]
    dgamma = (dy * xhat).sum(axis=(0, 2, 3))
    dbeta = dy.sum(axis=(0, 2, 3))
    dxhat = dy * gamma[None, :, None, None]
    dx = (inv_std[None, :, None, None] / m) * (
        m * dxhat - dxhat.sum(axis=(0, 2, 3))[None, :, None, None]
        - xhat * (dxhat * xhat).sum(axis=(0, 2, 3))[None, :, None, None])
    return dx, dgamma, dbeta


def maxpool2x2_backward(dout, x):
    """Routes each gradient to the first maximum of its 2x2 window."""
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        n, c, h // 2, w // 2, 4)
    onehot = np.arange(4) == win.argmax(axis=-1)[..., None]
    dwin = onehot * dout[..., None]
    return dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        n, c, h, w)


def train_step_gradients(params, x, labels):
    """Forward in training mode (batch statistics), softmax cross-entropy, backward.
    Returns (loss, gradients, batch statistics per block)."""
    caches, batch_stats = [], {}
    h = x
    for name, _, _, _, pool in BLOCKS:
        x_in = h
        cols, (n, ho, wo) = conv_im2col(h, 3, 1)
        w = params[f"{name}.weight"]
        h = (cols @ w.reshape(w.shape[0], -1).T).reshape(n, ho, wo, -1).transpose(0, 3, 1, 2)
        if f"{name}.bias" in params:
            h = h + params[f"{name}.bias"][None, :, None, None]
        h, bn_cache = batchnorm_train_forward(h, params[f"{name}.bn.gamma"],
                                              params[f"{name}.bn.beta"])
        batch_stats[name] = (bn_cache[2], bn_cache[3], n * ho * wo)
        pre_relu = h
        h = relu(h)
        pre_pool = h
        h = maxpool2x2(h) if pool == "max" else global_avg_pool(h)
        caches.append((name, pool, x_in.shape, cols, bn_cache, pre_relu, pre_pool))

    feat = h.reshape(h.shape[0], -1)
    logits = feat @ params["fc.weight"].T + params["fc.bias"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    batch = x.shape[0]
    loss = -np.log(probs[np.arange(batch), labels] + 1e-12).mean()

    grads = {}
    dlogits = probs
    dlogits[np.arange(batch), labels] -= 1.0
    dlogits /= batch
    grads["fc.weight"] = dlogits.T @ feat
    grads["fc.bias"] = dlogits.sum(axis=0)
    dh = (dlogits @ params["fc.weight"]).reshape(h.shape)

    for name, pool, x_shape, cols, bn_cache, pre_relu, pre_pool in reversed(caches):
        if pool == "max":
            dh = maxpool2x2_backward(dh, pre_pool)
        else:
            hw = pre_pool.shape[2] * pre_pool.shape[3]
            dh = np.broadcast_to(dh / hw, pre_pool.shape)
        dh = dh * (pre_relu > 0)
        dh, grads[f"{name}.bn.gamma"], grads[f"{name}.bn.beta"] = batchnorm_train_backward(
            dh, params[f"{name}.bn.gamma"], bn_cache)
        dweight, dbias, dh = conv_backward(dh, cols, x_shape, params[f"{name}.weight"])
        grads[f"{name}.weight"] = dweight
        if f"{name}.bias" in params:
            grads[f"{name}.bias"] = dbias
    return loss, grads, batch_stats


def update_running_stats(params, batch_stats):
    for name, (mean, var, count) in batch_stats.items():
        unbiased_var = var * (count / (count - 1.0))  # as PyTorch and Caffe store it
        for key, value in ((".bn.mean", mean), (".bn.var", unbiased_var)):
            p = params[name + key]
            p *= (1.0 - BN_MOMENTUM)
            p += np.float32(BN_MOMENTUM) * value.astype(np.float32)


def train(x_train, y_train, rng):
    """Adam with cosine learning-rate decay; L2 weight decay on conv/fc weights only."""
    params = init_params(rng)
    trainable = [k for k in params if not k.endswith(RUNNING_STATS)]
    adam_m = {k: np.zeros_like(params[k]) for k in trainable}
    adam_v = {k: np.zeros_like(params[k]) for k in trainable}
    beta1, beta2, adam_eps = 0.9, 0.999, 1e-8
    steps_per_epoch = int(np.ceil(len(x_train) / BATCH_SIZE))
    total_steps, step = EPOCHS * steps_per_epoch, 0
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x_train))
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
            if len(idx) < 2:  # batch statistics need more than one sample
                continue
            loss, grads, batch_stats = train_step_gradients(params, x_train[idx], y_train[idx])
            update_running_stats(params, batch_stats)
            lr = LEARNING_RATE * 0.5 * (1.0 + np.cos(np.pi * step / total_steps))
            step += 1
            for k in trainable:
                g = grads[k].astype(np.float32)
                if k.endswith(".weight"):
                    g = g + np.float32(WEIGHT_DECAY) * params[k]
                adam_m[k] = beta1 * adam_m[k] + (1 - beta1) * g
                adam_v[k] = beta2 * adam_v[k] + (1 - beta2) * g * g
                m_hat = adam_m[k] / (1 - beta1 ** step)
                v_hat = adam_v[k] / (1 - beta2 ** step)
                params[k] -= (lr * m_hat / (np.sqrt(v_hat) + adam_eps)).astype(np.float32)
            losses.append(loss)
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            print(f"  epoch {epoch + 1:2d}/{EPOCHS}: mean loss {np.mean(losses):.4f}")
    return {k: v.astype(np.float32) for k, v in params.items()}


def check_fold_is_nontrivial(params):
    """BatchNorm folding must visibly change the weights, otherwise the sample would not
    exercise the pass: insist on clearly non-identity statistics and affine parameters."""
    for name, *_ in BLOCKS:
        p = lambda key: params[f"{name}.bn.{key}"]  # noqa: E731
        deviations = {
            "mean": np.abs(p("mean")).max(),
            "var": np.abs(p("var") - 1).max(),
            "gamma": np.abs(p("gamma") - 1).max(),
            "beta": np.abs(p("beta")).max(),
        }
        for key, dev in deviations.items():
            assert dev > 0.05, f"{name}: BatchNorm {key} is nearly trivial ({dev:.4f})"


def accuracy(logits, labels):
    return float((logits.argmax(axis=1) == labels).mean())


# ----------------------------------------------------------------------------- ONNX

def write_onnx(params, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def init(name, value):
        inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    prev = "data"
    for name, _, _, has_bias, pool in BLOCKS:
        conv_inputs = [prev, init(f"{name}.weight", params[f"{name}.weight"])]
        if has_bias:
            conv_inputs.append(init(f"{name}.bias", params[f"{name}.bias"]))
        nodes.append(helper.make_node("Conv", conv_inputs, [name], name=name,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                      strides=[1, 1]))
        bn_inputs = [name] + [init(f"{name}_bn.{k}", params[f"{name}.bn.{k}"])
                              for k in ("gamma", "beta", "mean", "var")]
        nodes.append(helper.make_node("BatchNormalization", bn_inputs, [f"{name}_bn"],
                                      name=f"{name}_bn", epsilon=BN_EPS))
        nodes.append(helper.make_node("Relu", [f"{name}_bn"], [f"{name}_relu"],
                                      name=f"{name}_relu"))
        pool_name = name.replace("conv", "pool")
        if pool == "max":
            nodes.append(helper.make_node("MaxPool", [f"{name}_relu"], [pool_name],
                                          name=pool_name, kernel_shape=[2, 2], strides=[2, 2]))
        else:
            nodes.append(helper.make_node("GlobalAveragePool", [f"{name}_relu"], [pool_name],
                                          name=pool_name))
        prev = pool_name
    nodes.append(helper.make_node("Flatten", [prev], ["flatten"], name="flatten", axis=1))
    nodes.append(helper.make_node("Gemm", ["flatten", init("fc.weight", params["fc.weight"]),
                                           init("fc.bias", params["fc.bias"])],
                                  ["logits"], name="fc", transB=1))

    graph = helper.make_graph(
        nodes, "digits_bn",
        [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, IMAGE_SIZE, IMAGE_SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, NUM_CLASSES])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="quantfold tools/make_sample.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    model.doc_string = ("CNN with BatchNorm trained on scikit-learn digits (16x16, R=G=B); "
                        "input x = (pixel/255 - 0.5)/0.5; output: 10 logits")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))


def run_onnx_file(path, x, dtype=np.float32):
    """Executes an ONNX file with the numpy primitives (only the ops this sample uses),
    computing in `dtype`."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == 7 and model.opset_import[0].version == 13
    values = {t.name: numpy_helper.to_array(t).astype(dtype) for t in model.graph.initializer}
    values[model.graph.input[0].name] = x.astype(dtype)
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        ins = [values[i] for i in node.input]
        if node.op_type == "Conv":
            assert list(attrs["kernel_shape"]) == [3, 3] and list(attrs["strides"]) == [1, 1]
            assert list(attrs["pads"]) == [1, 1, 1, 1]
            out = conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, pad=1)
        elif node.op_type == "BatchNormalization":
            out = batchnorm_inference(*ins, eps=attrs["epsilon"])
        elif node.op_type == "Relu":
            out = relu(ins[0])
        elif node.op_type == "MaxPool":
            assert list(attrs["kernel_shape"]) == [2, 2] and list(attrs["strides"]) == [2, 2]
            out = maxpool2x2(ins[0])
        elif node.op_type == "GlobalAveragePool":
            out = global_avg_pool(ins[0])
        elif node.op_type == "Flatten":
            out = ins[0].reshape(int(np.prod(ins[0].shape[:attrs["axis"]])), -1)
        elif node.op_type == "Gemm":
            assert attrs.get("transB") == 1 and attrs.get("transA", 0) == 0
            out = fully_connected(ins[0], ins[1], ins[2])
        else:
            raise ValueError(f"unexpected ONNX op {node.op_type}")
        values[node.output[0]] = out.astype(dtype)
    return values[model.graph.output[0].name]


# ----------------------------------------------------------------------------- Caffe

def import_caffe_pb2(tmp_dir):
    """Compiles tiny-dnn's caffe.proto (a copy of BVLC Caffe's schema) into a Python
    module; Caffe itself is not packaged for Debian."""
    if not CAFFE_PROTO.exists():
        sys.exit(f"error: {CAFFE_PROTO} not found (apt install tiny-dnn)")
    if shutil.which("protoc") is None:
        sys.exit("error: protoc not found (apt install protobuf-compiler)")
    subprocess.run(["protoc", f"--python_out={tmp_dir}", f"-I{CAFFE_PROTO.parent}",
                    str(CAFFE_PROTO)], check=True)
    sys.path.insert(0, str(tmp_dir))
    try:
        return importlib.import_module("caffe_pb2")
    except Exception:
        # Generated code and the C++ protobuf runtime may disagree on versions; the
        # pure-Python runtime accepts it (must be chosen before protobuf is imported).
        os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
        for mod in [m for m in sys.modules if m.startswith("google.protobuf")]:
            del sys.modules[mod]
        return importlib.import_module("caffe_pb2")


def caffe_layer(name, type_, bottom, top, params=""):
    body = f'  name: "{name}"\n  type: "{type_}"\n  bottom: "{bottom}"\n  top: "{top}"\n'
    return "layer {\n" + body + params + "}\n"


def caffe_deploy_prototxt():
    """deploy.prototxt in the style of BVLC model zoo files: conv without bias, then
    in-place BatchNorm + Scale + ReLU."""
    parts = ['name: "DigitsBN"\n',
             'input: "data"\n',
             f"input_shape {{\n  dim: 1\n  dim: 3\n  dim: {IMAGE_SIZE}\n  dim: {IMAGE_SIZE}\n}}\n"]
    prev = "data"
    for name, _, cout, has_bias, pool in BLOCKS:
        bias_line = "" if has_bias else "    bias_term: false\n"
        parts.append(caffe_layer(name, "Convolution", prev, name,
                                 f"  convolution_param {{\n    num_output: {cout}\n{bias_line}"
                                 "    pad: 1\n    kernel_size: 3\n    stride: 1\n  }\n"))
        parts.append(caffe_layer(f"{name}_bn", "BatchNorm", name, name,
                                 "  batch_norm_param {\n    use_global_stats: true\n"
                                 f"    eps: {BN_EPS:g}\n  }}\n"))
        parts.append(caffe_layer(f"{name}_scale", "Scale", name, name,
                                 "  scale_param {\n    bias_term: true\n  }\n"))
        parts.append(caffe_layer(f"{name}_relu", "ReLU", name, name))
        pool_name = name.replace("conv", "pool")
        if pool == "max":
            pool_params = "    pool: MAX\n    kernel_size: 2\n    stride: 2\n"
        else:
            pool_params = "    pool: AVE\n    global_pooling: true\n"
        parts.append(caffe_layer(pool_name, "Pooling", name, pool_name,
                                 f"  pooling_param {{\n{pool_params}  }}\n"))
        prev = pool_name
    parts.append(caffe_layer("logits", "InnerProduct", prev, "logits",
                             f"  inner_product_param {{\n    num_output: {NUM_CLASSES}\n  }}\n"))
    return "".join(parts)


def caffe_blobs_by_layer(params):
    """Caffe blob order: Convolution [W, b?], BatchNorm [mean*sf, var*sf, sf],
    Scale [gamma, beta], InnerProduct [W (out x in), b]."""
    blobs = {}
    for name, *_ in BLOCKS:
        blobs[name] = [params[f"{name}.weight"]]
        if f"{name}.bias" in params:
            blobs[name].append(params[f"{name}.bias"])
        sf = np.float32(CAFFE_BN_SCALE_FACTOR[name])
        blobs[f"{name}_bn"] = [params[f"{name}.bn.mean"] * sf, params[f"{name}.bn.var"] * sf,
                               np.array([sf], np.float32)]
        blobs[f"{name}_scale"] = [params[f"{name}.bn.gamma"], params[f"{name}.bn.beta"]]
    blobs["logits"] = [params["fc.weight"], params["fc.bias"]]
    return blobs


def write_caffe(params, caffe_pb2, prototxt_path, caffemodel_path):
    from google.protobuf import text_format

    text = caffe_deploy_prototxt()
    prototxt_path.write_text(text)
    # Like a caffemodel saved by Caffe, the binary carries the full layer definitions
    # (parsed from the prototxt, which also validates it against the schema) plus blobs.
    net = text_format.Parse(text, caffe_pb2.NetParameter())
    blobs = caffe_blobs_by_layer(params)
    for layer in net.layer:
        for array in blobs.get(layer.name, []):
            blob = layer.blobs.add()
            blob.shape.dim.extend(array.shape)
            blob.data.extend(array.astype(np.float32).ravel().tolist())
    assert set(blobs) <= {layer.name for layer in net.layer}
    caffemodel_path.write_bytes(net.SerializeToString())


def run_caffe_files(caffe_pb2, prototxt_path, caffemodel_path, x, dtype=np.float32):
    """Executes deploy.prototxt + caffemodel with Caffe semantics: weights are matched by
    layer name, BatchNorm statistics are divided by the scale-factor blob, and in-place
    layers overwrite their blob. Computes in `dtype`."""
    from google.protobuf import text_format

    net = text_format.Parse(prototxt_path.read_text(), caffe_pb2.NetParameter())
    weights = caffe_pb2.NetParameter()
    weights.ParseFromString(caffemodel_path.read_bytes())
    blobs = {layer.name: [np.array(b.data, np.float32).astype(dtype).reshape(tuple(b.shape.dim))
                          for b in layer.blobs] for layer in weights.layer}
    values = {net.input[0]: x.astype(dtype)}
    assert list(net.input_shape[0].dim) == [1, 3, IMAGE_SIZE, IMAGE_SIZE]
    for layer in net.layer:
        inp, w = values[layer.bottom[0]], blobs.get(layer.name, [])
        if layer.type == "Convolution":
            p = layer.convolution_param
            assert list(p.kernel_size) == [3] and list(p.pad) == [1] and list(p.stride) == [1]
            assert len(w) == (2 if p.bias_term else 1) and w[0].shape[0] == p.num_output
            out = conv2d(inp, w[0], w[1] if p.bias_term else None, pad=1)
        elif layer.type == "BatchNorm":
            assert layer.batch_norm_param.use_global_stats
            sf = w[2][0]
            factor = dtype(0.0 if sf == 0 else 1.0 / sf)
            c = inp.shape[1]
            out = batchnorm_inference(inp, np.ones(c, dtype), np.zeros(c, dtype),
                                      w[0] * factor, w[1] * factor,
                                      eps=layer.batch_norm_param.eps)
        elif layer.type == "Scale":
            assert layer.scale_param.bias_term and len(w) == 2
            out = inp * w[0][None, :, None, None] + w[1][None, :, None, None]
        elif layer.type == "ReLU":
            out = relu(inp)
        elif layer.type == "Pooling":
            p = layer.pooling_param
            if p.global_pooling:
                assert p.pool == caffe_pb2.PoolingParameter.AVE
                out = global_avg_pool(inp)
            else:
                assert p.pool == caffe_pb2.PoolingParameter.MAX
                assert p.kernel_size == 2 and p.stride == 2
                out = maxpool2x2(inp)
        elif layer.type == "InnerProduct":
            assert w[0].shape == (layer.inner_product_param.num_output, inp[0].size)
            out = fully_connected(inp, w[0], w[1])
        else:
            raise ValueError(f"unexpected Caffe layer type {layer.type}")
        values[layer.top[0]] = out.astype(dtype)
    return values["logits"]


def cross_check_with_opencv(out_dir, x, reference):
    """Optional third opinion from OpenCV's dnn module, when python3-opencv is installed."""
    try:
        import cv2
    except ImportError:
        print("  cv2 not available to this Python: OpenCV cross-check skipped")
        return
    nets = {
        "cv2.dnn Caffe": cv2.dnn.readNetFromCaffe(str(out_dir / "digits_deploy.prototxt"),
                                                  str(out_dir / "digits.caffemodel")),
        "cv2.dnn ONNX": cv2.dnn.readNetFromONNX(str(out_dir / "digits.onnx")),
    }
    for label, net in nets.items():
        diff = 0.0
        for i in range(len(x)):
            net.setInput(x[i:i + 1])
            diff = max(diff, float(np.abs(net.forward().reshape(-1) - reference[i]).max()))
        print(f"  {label}: max |logit difference| = {diff:.2e}")
        assert diff < 1e-4, f"{label} disagrees with the numpy forward"


# ----------------------------------------------------------------------------- outputs

def write_bundled_images(out_dir, grey, labels, indices):
    image_dir = out_dir / "images"
    image_dir.mkdir(parents=True)
    lines = []
    for n, idx in enumerate(indices):
        file_name = f"img_{n:04d}.png"
        write_png_rgb(image_dir / file_name, np.repeat(grey[idx][:, :, None], 3, axis=2))
        lines.append(f"{file_name} {labels[idx]}\n")
    (image_dir / "labels.txt").write_text("".join(lines))


def read_bundled_images(out_dir):
    """Loads images/labels.txt and its PNGs back from disk -> (uint8 grey, labels)."""
    image_dir = out_dir / "images"
    grey, labels = [], []
    for line in (image_dir / "labels.txt").read_text().splitlines():
        file_name, label = line.split()
        rgb = read_png_rgb(image_dir / file_name)
        assert (rgb[:, :, 0] == rgb[:, :, 1]).all() and (rgb[:, :, 0] == rgb[:, :, 2]).all()
        grey.append(rgb[:, :, 0])
        labels.append(int(label))
    return np.stack(grey), np.array(labels)


README_TEMPLATE = """\
# Sample model: handwritten digits with BatchNorm

<!-- Generated by tools/make_sample.py; edit the template there. -->

A small CNN with BatchNorm layers, trained by QuantFold's own script
(`tools/make_sample.py`, plain numpy) so that the project ships a model whose origin,
weights and test data are all reproducible. It exercises BatchNorm folding (every
BatchNorm has non-trivial running statistics and learned scale/shift) and int8
calibration on real images.

## Files

| file | content |
|---|---|
| `digits.onnx` | ONNX model, IR version 7, opset 13 |
| `digits_deploy.prototxt`, `digits.caffemodel` | the same weights as a Caffe model |
| `labels.txt` | class names `0` ... `9`, one per line (line n = class n) |
| `images/img_0000.png` ... `images/img_{last:04d}.png` | {num_images} test images ({per_class} per class), 16x16 RGB PNG with R = G = B |
| `images/labels.txt` | `<file> <label>` per line, e.g. `img_0000.png {first_label}` |

## Data

The images come from scikit-learn's `digits` data set (`sklearn.datasets.load_digits`,
read from Debian's python3-sklearn), which is a copy of the test part of the UCI
"Optical Recognition of Handwritten Digits" data set by E. Alpaydin and C. Kaynak
(Bogazici University, 1998): 1,797 8x8 images of 43 writers' digits with pixel counts
0..16. scikit-learn is BSD-3-Clause licensed (Debian ships the data file under that
licence); the UCI repository lists the original data set under CC BY 4.0, so please
keep this attribution when redistributing the images.

Each 8x8 digit was upscaled to 16x16 (bilinear, half-pixel centres), scaled from
0..16 to 0..255 and rounded to 8 bits. The network was trained on exactly these 8-bit
pixel values. The data were split with
`train_test_split(test_size=0.25, stratify=labels, random_state=0)`:
{num_train} training and {num_test} test images. The bundled images are the first
{per_class} test images of each class; none of them was used for training.

## Network

Input `data` [1, 3, 16, 16] float32 (NCHW), output `logits` [1, 10] float32 (no softmax).

| block | ONNX nodes | Caffe layers | output |
|---|---|---|---|
| 1 | Conv 3->8 3x3 pad 1 no bias, BatchNormalization, Relu, MaxPool 2x2/2 | `conv1`, `conv1_bn`, `conv1_scale`, `conv1_relu`, `pool1` | 8x8x8 |
| 2 | Conv 8->16 3x3 pad 1 no bias, BatchNormalization, Relu, MaxPool 2x2/2 | `conv2`, `conv2_bn`, `conv2_scale`, `conv2_relu`, `pool2` | 16x4x4 |
| 3 | Conv 16->16 3x3 pad 1 with bias, BatchNormalization, Relu, GlobalAveragePool | `conv3`, `conv3_bn`, `conv3_scale`, `conv3_relu`, `pool3` (AVE, global) | 16x1x1 |
| head | Flatten, Gemm 16->10 (transB = 1) | `logits` (InnerProduct) | 10 |

BatchNorm epsilon is 1e-5 everywhere. In the Caffe model the BatchNorm and Scale layers
and the ReLUs work in place (top == bottom), and each BatchNorm layer stores
`[mean * sf, variance * sf, sf]`; sf is 1 for `conv1_bn` and `conv2_bn` but 2 for
`conv3_bn`, so a reader must divide by the third blob. Both files hold identical
weights (checked by the script: the largest logit difference between the two files
over all test images is {format_diff:.1e}, computed in float64).

## Preprocessing

Read the PNG as 3 channels in RGB order (all channels are equal, so BGR gives the same
result), no resizing needed, then per channel `x = (pixel * scale - mean) / std` with
scale 1/255, mean 0.5 and std 0.5 (x in [-1, 1]). For the QuantFold CLI:

    --size 16x16 --scale 0.00392156862745098 --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5 --rgb

(the scale is applied first, then mean and std).

## Accuracy (float32, exported inference graph)

| set | images | top-1 |
|---|---|---|
| held-out test split | {num_test} | {test_acc:.2%} |
| bundled `images/` | {num_images} | {bundled_acc:.2%} |

## Regenerating

    /usr/bin/python3 tools/make_sample.py

(run with Debian's Python; needs the Debian packages python3-numpy python3-sklearn
python3-onnx python3-protobuf protobuf-compiler tiny-dnn — tiny-dnn only for its copy
of `caffe.proto`). Training is deterministic (fixed seeds, one BLAS thread) and takes
well under a minute; results can differ in the last bits on another numpy/BLAS build.
"""


def write_readme(out_dir, **facts):
    (out_dir / "README.md").write_text(README_TEMPLATE.format(**facts))


def write_class_names(out_dir):
    (out_dir / "labels.txt").write_text("".join(f"{c}\n" for c in range(NUM_CLASSES)))


# ----------------------------------------------------------------------------- main

def main():
    start = time.time()
    rng = np.random.default_rng(SEED)

    print("loading digits ...")
    grey, labels = load_digit_images()
    train_idx, test_idx = split_train_test(labels)
    x_all = preprocess(grey)
    print(f"  {len(train_idx)} training, {len(test_idx)} test images")

    print("training ...")
    params = train(x_all[train_idx], labels[train_idx], rng)
    check_fold_is_nontrivial(params)
    test_logits = forward_inference(params, x_all[test_idx])
    print(f"  test accuracy (inference mode, in memory): "
          f"{accuracy(test_logits, labels[test_idx]):.4f}")

    print(f"writing {OUT_DIR.relative_to(REPO_ROOT)}/ ...")
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    bundled_idx = pick_bundled_images(test_idx, labels)
    write_bundled_images(OUT_DIR, grey, labels, bundled_idx)
    write_class_names(OUT_DIR)
    onnx_path = OUT_DIR / "digits.onnx"
    prototxt_path = OUT_DIR / "digits_deploy.prototxt"
    caffemodel_path = OUT_DIR / "digits.caffemodel"
    write_onnx(params, onnx_path)
    with tempfile.TemporaryDirectory() as tmp:
        caffe_pb2 = import_caffe_pb2(tmp)
        write_caffe(params, caffe_pb2, prototxt_path, caffemodel_path)

        print("verifying the written files ...")
        bundled_grey, bundled_labels = read_bundled_images(OUT_DIR)
        assert (bundled_grey == grey[bundled_idx]).all(), "PNG round trip changed pixels"
        assert (bundled_labels == labels[bundled_idx]).all()
        x_bundled = preprocess(bundled_grey)

        # Accuracy as a float32 runtime sees it, computed from the ONNX file.
        onnx_test = run_onnx_file(onnx_path, x_all[test_idx])
        onnx_bundled = run_onnx_file(onnx_path, x_bundled)
        test_acc = accuracy(onnx_test, labels[test_idx])
        bundled_acc = accuracy(onnx_bundled, bundled_labels)
        memory_diff = float(np.abs(onnx_test - test_logits).max())

        # Weight identity of the two formats, in float64 so that a real difference in the
        # stored weights is not hidden among (or confused with) float32 rounding noise.
        x64 = np.concatenate([x_all[test_idx], x_bundled])
        format_diff = float(np.abs(
            run_onnx_file(onnx_path, x64, np.float64)
            - run_caffe_files(caffe_pb2, prototxt_path, caffemodel_path, x64, np.float64)).max())

    print(f"  max |logit difference| Caffe vs ONNX (float64): {format_diff:.2e}, "
          f"ONNX file vs trained network (float32): {memory_diff:.2e}")
    assert format_diff < MAX_FORMAT_DIFF, "Caffe and ONNX files disagree"
    assert memory_diff < MAX_FORMAT_DIFF, "ONNX file disagrees with the trained network"
    cross_check_with_opencv(OUT_DIR, x_bundled, onnx_bundled)

    print(f"  test accuracy (ONNX file, {len(test_idx)} images): {test_acc:.4f}")
    print(f"  bundled images accuracy ({len(bundled_idx)} images): {bundled_acc:.4f}")
    assert test_acc >= MIN_ACCURACY and bundled_acc >= MIN_ACCURACY, "accuracy too low"

    write_readme(OUT_DIR, num_images=len(bundled_idx), last=len(bundled_idx) - 1,
                 per_class=IMAGES_PER_CLASS, first_label=bundled_labels[0],
                 num_train=len(train_idx), num_test=len(test_idx), test_acc=test_acc,
                 bundled_acc=bundled_acc, format_diff=format_diff)

    total = sum(f.stat().st_size for f in OUT_DIR.rglob("*") if f.is_file())
    print(f"done in {time.time() - start:.1f} s; {OUT_DIR.relative_to(REPO_ROOT)}/ holds "
          f"{total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
