<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>The edit no longer applies</source>
        <translation>该编辑已不再适用</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>QuantFold desktop app</source>
        <translation>QuantFold 桌面应用</translation>
    </message>
    <message>
        <source>A model (and its weights) or a project.</source>
        <translation>一个模型（及其权重文件）或一个项目。</translation>
    </message>
</context>
<context>
    <name>qf::ui::BeforeAfterView</name>
    <message numerus="yes">
        <source>Before: the model as loaded, %n layer(s)</source>
        <translation>
            <numerusform>之前：加载时的模型，%n 层</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>After: %n fold(s), %1 layer(s)</source>
        <translation>
            <numerusform>之后：%n 次折叠，%1 层</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::BudgetView</name>
    <message>
        <source>Worst output cosine (worst image)</source>
        <translation>最差输出余弦（最差图像）</translation>
    </message>
    <message>
        <source>Top-1 agreement with FP32</source>
        <translation>与 FP32 的 Top-1 一致率</translation>
    </message>
    <message>
        <source>What int8 must reach: the lowest cosine over every output on its worst image, or (classifiers) the share of images whose top class is FP32&apos;s</source>
        <translation>int8 必须达到的标准：所有输出在最差图像上的最低余弦，或（分类器）最高类别与 FP32 相同的图像比例</translation>
    </message>
    <message>
        <source>Images to measure on (the first of the calibration folder)</source>
        <translation>用于测量的图像数（取校准文件夹中的前若干张）</translation>
    </message>
    <message>
        <source>at most </source>
        <translation>最多 </translation>
    </message>
    <message>
        <source> layer(s) in FP32</source>
        <translation> 层保持 FP32</translation>
    </message>
    <message>
        <source>any number of layers</source>
        <translation>层数不限</translation>
    </message>
    <message>
        <source>The most layers the search may keep in FP32</source>
        <translation>搜索最多可保持为 FP32 的层数</translation>
    </message>
    <message>
        <source>Keep layers in FP32 until</source>
        <translation>将层保持为 FP32，直到</translation>
    </message>
    <message>
        <source>on</source>
        <translation>，使用</translation>
    </message>
    <message>
        <source>image(s),</source>
        <translation>张图像，</translation>
    </message>
    <message>
        <source>Find FP32 Layers</source>
        <translation>查找 FP32 层</translation>
    </message>
    <message>
        <source>Ranks the layers by sensitivity, then keeps the most sensitive ones in FP32 one at a time until the bar is met, and gives back to int8 those it does not need</source>
        <translation>按敏感度对各层排序，然后逐个将最敏感的层保持为 FP32，直到达到标准，再把不需要的层交还给 int8</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Keep exactly the layers found in FP32 (one undo step)</source>
        <translation>将找到的层恰好保持为 FP32（一个撤销步骤）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Value after the step</source>
        <translation>该步骤后的值</translation>
    </message>
    <message>
        <source>Calibrate first: the search uses the calibration table and its images.</source>
        <translation>请先校准：搜索使用校准表及其图像。</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>准备中…</translation>
    </message>
    <message>
        <source>ranking</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>comparing</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>searching</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>apply the precision budget</source>
        <translation>应用精度预算</translation>
    </message>
    <message>
        <source>Cancelled; the previous result stays.</source>
        <translation>已取消；保留之前的结果。</translation>
    </message>
    <message>
        <source>The search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <source>kept in FP32</source>
        <translation>保持为 FP32</translation>
    </message>
    <message>
        <source>tried in FP32: no gain, back to int8</source>
        <translation>试用 FP32：无改善，恢复 int8</translation>
    </message>
    <message>
        <source>given back to int8: not needed</source>
        <translation>交还给 int8：不需要</translation>
    </message>
    <message>
        <source>tried in int8: breaks the bar, stays FP32</source>
        <translation>试用 int8：未达标，保持 FP32</translation>
    </message>
    <message>
        <source>Searching for the layers to keep in FP32…</source>
        <translation>正在搜索需保持为 FP32 的层…</translation>
    </message>
    <message>
        <source>Not searched yet: set the bar and find the layers int8 cannot take.</source>
        <translation>尚未搜索：请设定标准，找出 int8 无法胜任的层。</translation>
    </message>
    <message>
        <source>int8 alone meets it</source>
        <translation>仅用 int8 即已达标</translation>
    </message>
    <message>
        <source>Not met on %1 image(s): %2</source>
        <translation>在 %1 张图像上未达标：%2</translation>
    </message>
    <message>
        <source>✓ applied.</source>
        <translation>✓ 已应用。</translation>
    </message>
    <message>
        <source>⟳ stale: the model, the table or the int8 options changed since; search again.</source>
        <translation>⟳ 已过时：此后模型、校准表或 int8 选项已更改；请重新搜索。</translation>
    </message>
    <message numerus="yes">
        <source>Met on %1 image(s) with %n layer(s) of %2 in FP32 (%3 → %4, %5 comparisons): %6</source>
        <translation>
            <numerusform>在 %1 张图像上达标，%2 层中有 %n 层保持 FP32（%3 → %4，%5 次比较）：%6</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::CalibrationPanel</name>
    <message>
        <source>Folder of calibration images</source>
        <translation>校准图像文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>图像：</translation>
    </message>
    <message>
        <source>No folder chosen</source>
        <translation>未选择文件夹</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Input size (W × H):</source>
        <translation>输入尺寸（宽 × 高）：</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Center crop</source>
        <translation>中心裁剪</translation>
    </message>
    <message>
        <source>Resize shorter side:</source>
        <translation>短边缩放到：</translation>
    </message>
    <message>
        <source>Scale:</source>
        <translation>缩放系数：</translation>
    </message>
    <message>
        <source>Mean:</source>
        <translation>均值：</translation>
    </message>
    <message>
        <source>Std:</source>
        <translation>标准差：</translation>
    </message>
    <message>
        <source>RGB</source>
        <translation>RGB</translation>
    </message>
    <message>
        <source>BGR</source>
        <translation>BGR</translation>
    </message>
    <message>
        <source>Channel order:</source>
        <translation>通道顺序：</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Max images:</source>
        <translation>最多图像数：</translation>
    </message>
    <message>
        <source>Per-channel weight scales (off: one per layer)</source>
        <translation>按通道的权重尺度（关闭：每层一个）</translation>
    </message>
    <message>
        <source>Bias correction</source>
        <translation>偏置校正</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>预览：</translation>
    </message>
    <message>
        <source>Run Calibration</source>
        <translation>运行校准</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Calibrating…</source>
        <translation>正在校准…</translation>
    </message>
    <message>
        <source>Calibrating: %1 of %2 %3</source>
        <translation>正在校准：第 %1 步，共 %2 步 %3</translation>
    </message>
    <message numerus="yes">
        <source>Calibrated %n tensor(s) on %1 image(s)</source>
        <translation>
            <numerusform>已在 %1 张图像上校准 %n 个张量</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped: the previous table is kept</source>
        <translation>已停止：保留之前的校准表</translation>
    </message>
    <message>
        <source>Stopped: no table yet</source>
        <translation>已停止：尚无校准表</translation>
    </message>
    <message>
        <source>Calibration Images</source>
        <translation>校准图像</translation>
    </message>
    <message>
        <source>The folder %1 does not exist</source>
        <translation>文件夹 %1 不存在</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图像</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s), %1 unreadable (skipped):</source>
        <translation>
            <numerusform>%n 张图像，%1 个无法读取（已跳过）：</numerusform>
        </translation>
    </message>
    <message>
        <source>Open a model and choose images to see what the network sees.</source>
        <translation>打开模型并选择图像，即可看到网络实际看到的输入。</translation>
    </message>
    <message>
        <source>No readable image to preview.</source>
        <translation>没有可预览的图像。</translation>
    </message>
    <message>
        <source>%1: %2×%3×%4, values in [%5, %6]</source>
        <translation>%1：%2×%3×%4，取值范围 [%5, %6]</translation>
    </message>
    <message>
        <source>Preview failed: %1</source>
        <translation>预览失败：%1</translation>
    </message>
    <message>
        <source>Fold All</source>
        <translation>全部折叠</translation>
    </message>
    <message>
        <source>Fold every BatchNorm / Scale layer into the layer before it (one undo step), as the command line does before calibrating</source>
        <translation>将每个 BatchNorm / Scale 层折叠进其前一层（一步撤销），与命令行在校准前的做法相同</translation>
    </message>
    <message numerus="yes">
        <source>%n BatchNorm / Scale layer(s) not folded: int8 runs them in FP32 after their convolutions, which rounds more and costs accuracy (the command line folds first).</source>
        <translation>
            <numerusform>%n 个 BatchNorm / Scale 层尚未折叠：int8 会在其卷积之后以 FP32 运行它们，舍入更多、精度更低（命令行会先折叠）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Equalize conv pairs first (cross-layer equalization)</source>
        <translation>先均衡卷积层对（跨层均衡）</translation>
    </message>
    <message>
        <source>Rescales consecutive convolutions so their per-channel weight ranges even out (exact in FP32; depthwise-separable networks gain most). Applies at the next calibration: the table then describes the equalized model, which the comparison and the exports use.</source>
        <translation>对相邻卷积重新缩放，使其逐通道权重范围趋于一致（在 FP32 中精确；深度可分离网络获益最大）。在下一次校准时生效：校准表随后描述均衡后的模型，比较和导出均使用该模型。</translation>
    </message>
    <message>
        <source>no conv pair to equalize</source>
        <translation>没有可均衡的卷积层对</translation>
    </message>
    <message numerus="yes">
        <source>equalized %n conv pair(s) first (worst per-channel range ratio %1 → %2)</source>
        <translation>
            <numerusform>先均衡了 %n 个卷积层对（最差逐通道范围比 %1 → %2）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::ComparisonPanel</name>
    <message>
        <source>Calibrate to compare int8 with FP32.</source>
        <translation>校准后即可比较 int8 与 FP32。</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Cosine</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>Worst-image cosine</source>
        <translation>最差图像余弦</translation>
    </message>
    <message>
        <source>SQNR (dB)</source>
        <translation>SQNR（分贝）</translation>
    </message>
    <message>
        <source>Max |Δ|</source>
        <translation>最大 |Δ|</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Cosine alone</source>
        <translation>单独余弦</translation>
    </message>
    <message>
        <source>SQNR alone (dB)</source>
        <translation>单独 SQNR (dB)</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>FP32</source>
        <translation>保持 FP32</translation>
    </message>
    <message>
        <source>Bias correction</source>
        <translation>偏置校正</translation>
    </message>
    <message>
        <source>⟳ stale: measuring the last change…</source>
        <translation>⟳ 已过时：正在测量最近的更改…</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>正在比较…</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s), the last update took %1 ms</source>
        <translation>
            <numerusform>%n 张图像，上次更新耗时 %1 毫秒</numerusform>
        </translation>
    </message>
    <message>
        <source>; top-1 FP32 %1%, int8 %2%</source>
        <translation>；top-1 准确率 FP32 %1%，int8 %2%</translation>
    </message>
    <message>
        <source>; top-1 agreement %1%</source>
        <translation>；top-1 一致率 %1%</translation>
    </message>
    <message numerus="yes">
        <source>; %n image(s) skipped</source>
        <translation>
            <numerusform>；跳过 %n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <source>manual</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>unsigned</source>
        <translation>无符号</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>有符号</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>SQNR Chart</source>
        <translation>SQNR 图表</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
</context>
<context>
    <name>qf::ui::Document</name>
    <message>
        <source>Loading %1</source>
        <translation>正在加载 %1</translation>
    </message>
    <message>
        <source>A fold of the project does not apply</source>
        <translation>项目中的一项折叠无法应用</translation>
    </message>
    <message>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>%1: the model %2 does not exist</source>
        <translation>%1：模型 %2 不存在</translation>
    </message>
    <message>
        <source>%1: the weights %2 do not exist</source>
        <translation>%1：权重文件 %2 不存在</translation>
    </message>
    <message>
        <source>Cannot save the project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>Saving %1</source>
        <translation>正在保存 %1</translation>
    </message>
    <message>
        <source>Verifying the folds</source>
        <translation>正在验证折叠结果</translation>
    </message>
    <message>
        <source>Fold %1 &apos;%2&apos; into %3 &apos;%4&apos;</source>
        <translation>将 %1“%2”折叠进 %3“%4”</translation>
    </message>
    <message>
        <source>Cannot fold</source>
        <translation>无法折叠</translation>
    </message>
    <message numerus="yes">
        <source>Fold all (%n layer(s))</source>
        <translation>
            <numerusform>全部折叠（%n 层）</numerusform>
        </translation>
    </message>
    <message>
        <source>Unfold into &apos;%1&apos;</source>
        <translation>从“%1”中展开</translation>
    </message>
    <message>
        <source>Cannot unfold</source>
        <translation>无法展开</translation>
    </message>
    <message>
        <source>Laying out the graph</source>
        <translation>正在布局计算图</translation>
    </message>
    <message>
        <source>Folding</source>
        <translation>正在折叠</translation>
    </message>
    <message>
        <source>Cannot apply the edit</source>
        <translation>无法应用该编辑</translation>
    </message>
</context>
<context>
    <name>qf::ui::ExportDialog</name>
    <message>
        <source>Folded model (Caffe prototxt + caffemodel)</source>
        <translation>折叠后的模型（Caffe prototxt + caffemodel）</translation>
    </message>
    <message>
        <source>Folded model (ONNX)</source>
        <translation>折叠后的模型（ONNX）</translation>
    </message>
    <message>
        <source>Calibration table, JSON (every method, manual thresholds, bias corrections)</source>
        <translation>校准表，JSON（所有方法、手动阈值、偏置校正）</translation>
    </message>
    <message>
        <source>Calibration table, ncnn / caffe-int8-convert-tools</source>
        <translation>校准表，ncnn / caffe-int8-convert-tools 格式</translation>
    </message>
    <message>
        <source>TensorRT calibration cache</source>
        <translation>TensorRT 校准缓存</translation>
    </message>
    <message>
        <source>Int8 model, QDQ ONNX (ONNX Runtime)</source>
        <translation>Int8 模型，QDQ ONNX（ONNX Runtime）</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Write the folded model and the int8 results for deployment. The files are written as the CLI&apos;s fold and export commands write them.</source>
        <translation>写出折叠后的模型和 int8 结果以便部署。文件内容与命令行 fold 和 export 命令写出的完全相同。</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Replace existing files?</source>
        <translation>替换已有文件？</translation>
    </message>
    <message>
        <source>These files exist already:
%1

Replace them?</source>
        <translation>以下文件已存在：
%1

要替换它们吗？</translation>
    </message>
    <message>
        <source>Calibrate first (Int8 &gt; Calibrate…).</source>
        <translation>请先校准（Int8 &gt; 校准…）。</translation>
    </message>
    <message>
        <source>No calibration yet: only the folded model can be exported.</source>
        <translation>尚未校准：只能导出折叠后的模型。</translation>
    </message>
    <message>
        <source>Export into folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Give a file name for: %1</source>
        <translation>请为以下项目指定文件名：%1</translation>
    </message>
    <message>
        <source>Give a file name for the folded model&apos;s weights.</source>
        <translation>请为折叠后模型的权重指定文件名。</translation>
    </message>
    <message>
        <source>%1: two exports would write this file</source>
        <translation>%1：两个导出项会写入同一个文件</translation>
    </message>
    <message>
        <source>%1: the folder cannot be created</source>
        <translation>%1：无法创建该文件夹</translation>
    </message>
    <message>
        <source>Nothing written.</source>
        <translation>未写入任何文件。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n file(s).</source>
        <translation>
            <numerusform>已在写入 %n 个文件后停止。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n file(s) into %1.</source>
        <translation>
            <numerusform>已将 %n 个文件写入 %1。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::FoldReportPanel</name>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Numeric proof: not computed yet</source>
        <translation>数值验证：尚未计算</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>max |Δ|</source>
        <translation>最大 |Δ|</translation>
    </message>
    <message>
        <source>max |value|</source>
        <translation>最大 |值|</translation>
    </message>
    <message>
        <source>relative</source>
        <translation>相对误差</translation>
    </message>
    <message>
        <source>Verify on images…</source>
        <translation>用图像验证…</translation>
    </message>
    <message>
        <source>Run the original and the folded model on a folder of images and compare their outputs</source>
        <translation>在一个图像文件夹上分别运行原始模型和折叠后的模型，并比较它们的输出</translation>
    </message>
    <message>
        <source>Fold all</source>
        <translation>全部折叠</translation>
    </message>
    <message>
        <source>%1 → %2 &apos;%3&apos;, %4 channels%5</source>
        <translation>%1 → %2“%3”，%4 个通道%5</translation>
    </message>
    <message>
        <source>, bias created</source>
        <translation>，已新建偏置</translation>
    </message>
    <message>
        <source>%1 → %2 &apos;%3&apos;</source>
        <translation>%1 → %2“%3”</translation>
    </message>
    <message>
        <source>Folded (%1)</source>
        <translation>已折叠（%1）</translation>
    </message>
    <message>
        <source>Can fold (%1)</source>
        <translation>可折叠（%1）</translation>
    </message>
    <message>
        <source>Cannot fold (%1)</source>
        <translation>无法折叠（%1）</translation>
    </message>
    <message>
        <source>Numeric proof: running both models…</source>
        <translation>数值验证：正在运行两个模型…</translation>
    </message>
    <message numerus="yes">
        <source>Numeric proof on %n image(s): folded against original</source>
        <translation>
            <numerusform>数值验证（%n 张图像）：折叠后模型与原始模型对比</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n image(s) skipped)</source>
        <translation>
            <numerusform>（跳过 %n 张图像）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::GraphScene</name>
    <message>
        <source>convolution</source>
        <translation>卷积</translation>
    </message>
    <message>
        <source>normalization</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>activation</source>
        <translation>激活</translation>
    </message>
    <message>
        <source>pooling</source>
        <translation>池化</translation>
    </message>
    <message>
        <source>element-wise</source>
        <translation>逐元素</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>unsupported</source>
        <translation>不支持</translation>
    </message>
    <message>
        <source>Graph input &lt;b&gt;%1&lt;/b&gt; %2</source>
        <translation>图输入 &lt;b&gt;%1&lt;/b&gt; %2</translation>
    </message>
    <message>
        <source>This runtime cannot execute %1; it is kept as it was in the file.</source>
        <translation>本运行时无法执行 %1；它将按文件中的原样保留。</translation>
    </message>
    <message>
        <source>fold</source>
        <translation>折叠</translation>
    </message>
    <message>
        <source>Folds into %1 &apos;%2&apos; (%3 channels)</source>
        <translation>折叠进 %1“%2”（%3 个通道）</translation>
    </message>
    <message>
        <source>Cannot fold: %1</source>
        <translation>无法折叠：%1</translation>
    </message>
    <message>
        <source>Absorbs: %1</source>
        <translation>吸收：%1</translation>
    </message>
    <message>
        <source>folded</source>
        <translation>已折叠</translation>
    </message>
    <message>
        <source>Folded into it: %1</source>
        <translation>已折叠进本层：%1</translation>
    </message>
    <message>
        <source>%1 fold into %2</source>
        <translation>%1 折叠进 %2</translation>
    </message>
</context>
<context>
    <name>qf::ui::GraphView</name>
    <message>
        <source>QuantFold graph</source>
        <translation>QuantFold 计算图</translation>
    </message>
</context>
<context>
    <name>qf::ui::HeatLegend</name>
    <message>
        <source>worse ← int8 error → better</source>
        <translation>更差 ← int8 误差 → 更好</translation>
    </message>
    <message numerus="yes">
        <source>FP32: not quantized (%n layer(s))</source>
        <translation>
            <numerusform>FP32：未量化（%n 层）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qf::ui::HeatMapControl</name>
    <message>
        <source>Int8 Error &amp;Heat Map</source>
        <translation>Int8 误差热力图(&amp;H)</translation>
    </message>
    <message>
        <source>Colour every quantized layer by its int8 error</source>
        <translation>按 int8 误差为每个量化层着色</translation>
    </message>
    <message>
        <source>SQNR, propagated</source>
        <translation>SQNR，累积误差</translation>
    </message>
    <message>
        <source>SQNR, alone</source>
        <translation>SQNR，单层</translation>
    </message>
    <message>
        <source>Cosine, propagated</source>
        <translation>余弦相似度，累积误差</translation>
    </message>
    <message>
        <source>Cosine, alone</source>
        <translation>余弦相似度，单层</translation>
    </message>
    <message>
        <source>Propagated: the int8 model&apos;s own tensor; alone: the layer on FP32 inputs</source>
        <translation>累积：int8 模型自身的张量；单层：该层使用 FP32 输入</translation>
    </message>
    <message>
        <source>Heat Map</source>
        <translation>热力图</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <source>SQNR (dB)</source>
        <translation>SQNR（分贝）</translation>
    </message>
    <message>
        <source>Int8 error: %1, each layer alone</source>
        <translation>Int8 误差：%1，各层单独</translation>
    </message>
    <message>
        <source>Int8 error: %1, propagated</source>
        <translation>Int8 误差：%1，累积</translation>
    </message>
    <message>
        <source>Int8 error: calibrate first</source>
        <translation>Int8 误差：请先校准</translation>
    </message>
    <message>
        <source>Kept in FP32: %1</source>
        <translation>保留为 FP32：%1</translation>
    </message>
    <message>
        <source>int8 %1: &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>int8 的%1：&lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
</context>
<context>
    <name>qf::ui::HistogramView</name>
    <message>
        <source>Reset to Method</source>
        <translation>重置为方法阈值</translation>
    </message>
    <message>
        <source>Tensor:</source>
        <translation>张量：</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <source>Threshold:</source>
        <translation>阈值：</translation>
    </message>
    <message>
        <source>|activation|</source>
        <translation>|激活值|</translation>
    </message>
    <message>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>candidate threshold</source>
        <translation>候选阈值</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL 散度</translation>
    </message>
    <message>
        <source>MSE · noise/signal</source>
        <translation>均方误差 · 噪声/信号比</translation>
    </message>
    <message>
        <source>The table does not calibrate this tensor.</source>
        <translation>校准表中没有该张量。</translation>
    </message>
    <message>
        <source>Calibrate to see the activation histograms.</source>
        <translation>校准后即可查看激活直方图。</translation>
    </message>
    <message>
        <source>%1: %2 values, |x| up to %3, min %4; %5 in use: %6</source>
        <translation>%1：%2 个值，|x| 最大 %3，最小值 %4；使用中的%5：%6</translation>
    </message>
    <message>
        <source>manual threshold</source>
        <translation>手动阈值</translation>
    </message>
    <message>
        <source>histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source> uint8 range [0, T]</source>
        <translation> uint8 范围 [0, T]</translation>
    </message>
    <message>
        <source> int8 range [−T, T]</source>
        <translation> int8 范围 [−T, T]</translation>
    </message>
    <message>
        <source>KL divergence (kl)</source>
        <translation>KL 散度 (kl)</translation>
    </message>
    <message>
        <source>expected quantization MSE (mse)</source>
        <translation>预期量化均方误差 (mse)</translation>
    </message>
    <message>
        <source>int8 layer error, noise/signal (auto)</source>
        <translation>int8 层误差，噪声/信号比 (auto)</translation>
    </message>
</context>
<context>
    <name>qf::ui::ImageStrip</name>
    <message>
        <source>Disagreements only</source>
        <translation>仅显示不一致</translation>
    </message>
    <message>
        <source>Calibrate to compare the classes int8 and FP32 predict.</source>
        <translation>校准后即可比较 int8 与 FP32 预测的类别。</translation>
    </message>
    <message>
        <source>The image strip is for classifiers: a model with one output holding one score per class.</source>
        <translation>图像条仅适用于分类器：只有一个输出、每个类别一个分数的模型。</translation>
    </message>
    <message>
        <source>label: %1</source>
        <translation>标注：%1</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n image(s): int8&apos;s top class differs from FP32&apos;s (shown first, framed red). Green: the labelled class; red: a wrong top class.</source>
        <translation>
            <numerusform>%n 张图像中有 %1 张：int8 的首选类别与 FP32 不同（排在前面，红框标出）。绿色：标注的类别；红色：错误的首选类别。</numerusform>
        </translation>
    </message>
    <message>
        <source>Class Names…</source>
        <translation>类别名称…</translation>
    </message>
    <message>
        <source>A text file with one class name per line, in index order</source>
        <translation>每行一个类别名称、按索引顺序排列的文本文件</translation>
    </message>
    <message>
        <source>Class names</source>
        <translation>类别名称</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>the file holds no names</source>
        <translation>文件中没有名称</translation>
    </message>
</context>
<context>
    <name>qf::ui::Int8Workbench</name>
    <message>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Int8 comparison</source>
        <translation>Int8 比较</translation>
    </message>
    <message>
        <source>&amp;Int8</source>
        <translation>Int8 量化(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Calibrate…</source>
        <translation>校准(&amp;C)…</translation>
    </message>
    <message>
        <source>Run Calibration</source>
        <translation>运行校准</translation>
    </message>
    <message>
        <source>Calibrated</source>
        <translation>已校准</translation>
    </message>
    <message>
        <source>Calibration stopped</source>
        <translation>校准已停止</translation>
    </message>
</context>
<context>
    <name>qf::ui::Language</name>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes when QuantFold starts again.</source>
        <translation>界面语言将在 QuantFold 下次启动时更改。</translation>
    </message>
</context>
<context>
    <name>qf::ui::LayerSqnrChart</name>
    <message>
        <source>Propagated (int8 up to the layer)</source>
        <translation>累积（直到该层都为 int8）</translation>
    </message>
    <message>
        <source>Alone (the layer on FP32 inputs)</source>
        <translation>单层（该层使用 FP32 输入）</translation>
    </message>
    <message>
        <source>How many of the worst layers are drawn red</source>
        <translation>用红色标出最差的几层</translation>
    </message>
    <message>
        <source>SQNR:</source>
        <translation>SQNR（信噪比）：</translation>
    </message>
    <message>
        <source>Mark the worst:</source>
        <translation>标出最差：</translation>
    </message>
    <message>
        <source>SQNR</source>
        <translation>SQNR（信噪比）</translation>
    </message>
    <message>
        <source>worst</source>
        <translation>最差</translation>
    </message>
    <message>
        <source>SQNR (dB)</source>
        <translation>SQNR（分贝）</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;SQNR %2 dB (%3)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;SQNR %2 分贝（%3）</translation>
    </message>
    <message>
        <source>alone</source>
        <translation>单层</translation>
    </message>
    <message>
        <source>propagated</source>
        <translation>累积</translation>
    </message>
</context>
<context>
    <name>qf::ui::LayersModel</name>
    <message>
        <source>cannot execute</source>
        <translation>无法执行</translation>
    </message>
    <message>
        <source>This runtime cannot execute %1; it is kept as it was.</source>
        <translation>本运行时无法执行 %1；它将原样保留。</translation>
    </message>
    <message>
        <source>cannot fold</source>
        <translation>无法折叠</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Op</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>输出形状</translation>
    </message>
    <message>
        <source>Fold</source>
        <translation>折叠</translation>
    </message>
    <message>
        <source>folds</source>
        <translation>可折叠</translation>
    </message>
    <message>
        <source>Folds into %1 &apos;%2&apos;</source>
        <translation>折叠进 %1“%2”</translation>
    </message>
    <message numerus="yes">
        <source>absorbs %n</source>
        <translation>
            <numerusform>吸收 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>Absorbs %1</source>
        <translation>吸收：%1</translation>
    </message>
    <message numerus="yes">
        <source>folded %n</source>
        <translation>
            <numerusform>已折叠 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>Folded into it: %1</source>
        <translation>已折叠进本层：%1</translation>
    </message>
</context>
<context>
    <name>qf::ui::LayersPanel</name>
    <message>
        <source>Filter by name or op (regular expression)</source>
        <translation>按名称或算子筛选（正则表达式）</translation>
    </message>
    <message>
        <source>All layers</source>
        <translation>所有层</translation>
    </message>
    <message>
        <source>Foldable</source>
        <translation>可折叠</translation>
    </message>
    <message>
        <source>Cannot fold</source>
        <translation>无法折叠</translation>
    </message>
    <message>
        <source>Cannot execute</source>
        <translation>无法执行</translation>
    </message>
    <message>
        <source>%1 of %2 layers</source>
        <translation>%1 / %2 层</translation>
    </message>
</context>
<context>
    <name>qf::ui::LimitsDialog</name>
    <message>
        <source>Limits</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Files declare the sizes of their tensors and images. These limits are checked before anything is allocated, so a broken or hostile file ends in an error instead of filling the memory. They apply to models and images loaded from now on.</source>
        <translation>文件会声明其张量和图像的大小。这些限制在分配任何内存之前检查，因此损坏或恶意的文件会以错误结束，而不会占满内存。它们对此后加载的模型和图像生效。</translation>
    </message>
    <message>
        <source>%1 of float32 values per tensor</source>
        <translation>每个张量最多 %1 的 float32 数值</translation>
    </message>
    <message>
        <source>Largest tensor (values):</source>
        <translation>最大张量（数值个数）：</translation>
    </message>
    <message>
        <source>Largest image (pixels):</source>
        <translation>最大图像（像素）：</translation>
    </message>
</context>
<context>
    <name>qf::ui::LogPanel</name>
    <message>
        <source>%1
(click to select &apos;%2&apos;)</source>
        <translation>%1
（点击以选中“%2”）</translation>
    </message>
</context>
<context>
    <name>qf::ui::MainWindow</name>
    <message>
        <source>QuantFold</source>
        <translation>QuantFold</translation>
    </message>
    <message>
        <source>File: %1, line %2</source>
        <translation>文件：%1，第 %2 行</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>文件：%1</translation>
    </message>
    <message>
        <source>Weights for %1</source>
        <translation>%1 的权重文件</translation>
    </message>
    <message>
        <source>Caffe weights (*.caffemodel)</source>
        <translation>Caffe 权重文件 (*.caffemodel)</translation>
    </message>
    <message>
        <source>File moved</source>
        <translation>文件已移动</translation>
    </message>
    <message>
        <source>The project names %1, which is not there any more. Where is it now?</source>
        <translation>项目中引用的 %1 已不在原处。它现在在哪里？</translation>
    </message>
    <message>
        <source>Locate %1</source>
        <translation>查找 %1</translation>
    </message>
    <message>
        <source>%1 (%1);;All files (*)</source>
        <translation>%1 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Overwrite the opened model?</source>
        <translation>覆盖已打开的模型？</translation>
    </message>
    <message>
        <source>This writes over the files the model was opened from:
%1

Overwrite them?</source>
        <translation>这将覆盖打开模型时所用的文件：
%1

要覆盖它们吗？</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The model has changes that are not saved. Save them?</source>
        <translation>模型有尚未保存的更改。要保存吗？</translation>
    </message>
    <message>
        <source>Save model as</source>
        <translation>模型另存为</translation>
    </message>
    <message>
        <source>Caffe model (*.prototxt)</source>
        <translation>Caffe 模型 (*.prototxt)</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>TensorFlow frozen graph (*.pb)</source>
        <translation>TensorFlow 冻结图 (*.pb)</translation>
    </message>
    <message numerus="yes">
        <source>Opened %1: %n layer(s)</source>
        <translation>
            <numerusform>已打开 %1：%n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Saved project %1</source>
        <translation>已保存项目 %1</translation>
    </message>
    <message numerus="yes">
        <source>Verified on %n image(s): largest |folded − original| = %1</source>
        <translation>
            <numerusform>已在 %n 张图像上验证：最大 |折叠后 − 原始| = %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Properties</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Fold report</source>
        <translation>折叠报告</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&lt;opened model&gt;</source>
        <translation>&lt;打开的模型&gt;</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Open &amp;Project…</source>
        <translation>打开项目(&amp;P)…</translation>
    </message>
    <message>
        <source>Save Model &amp;As…</source>
        <translation>模型另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save Pro&amp;ject As…</source>
        <translation>项目另存为(&amp;J)…</translation>
    </message>
    <message>
        <source>&amp;Export Picture…</source>
        <translation>导出图片(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Find &amp;Next</source>
        <translation>查找下一个(&amp;N)</translation>
    </message>
    <message>
        <source>Find &amp;Previous</source>
        <translation>查找上一个(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Copy Layer Name</source>
        <translation>复制层名称(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Actual Size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <source>Zoom to &amp;Selection</source>
        <translation>缩放到选中项(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Fold All</source>
        <translation>全部折叠(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Verify Folds on Images…</source>
        <translation>用图像验证折叠结果(&amp;V)…</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Find layers and tensors (regular expression)</source>
        <translation>查找层和张量（正则表达式）</translation>
    </message>
    <message>
        <source> Find: </source>
        <translation> 查找：</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>invalid expression</source>
        <translation>表达式无效</translation>
    </message>
    <message>
        <source>no match</source>
        <translation>无匹配项</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
    <message>
        <source>Open a model: File ▸ Open Model, or drop files here</source>
        <translation>打开模型：文件 ▸ 打开模型，或将文件拖放到此处</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Verifying the folds</source>
        <translation>正在验证折叠结果</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s), %1 foldable</source>
        <translation>
            <numerusform>%n 层，%1 个可折叠</numerusform>
        </translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>%1: not a model QuantFold opens (.prototxt + .caffemodel, .onnx, .pb or .qfproj)</source>
        <translation>%1：不是 QuantFold 能打开的模型（.prototxt + .caffemodel、.onnx、.pb 或 .qfproj）</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Models (*.prototxt *.onnx *.pb *.qfproj);;Caffe (*.prototxt *.caffemodel);;ONNX (*.onnx);;TensorFlow (*.pb);;QuantFold projects (*.qfproj)</source>
        <translation>模型 (*.prototxt *.onnx *.pb *.qfproj);;Caffe (*.prototxt *.caffemodel);;ONNX (*.onnx);;TensorFlow (*.pb);;QuantFold 项目 (*.qfproj)</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>QuantFold projects (*.qfproj)</source>
        <translation>QuantFold 项目 (*.qfproj)</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>Exported the picture to %1</source>
        <translation>已将图片导出到 %1</translation>
    </message>
    <message>
        <source>Cannot export the picture</source>
        <translation>无法导出图片</translation>
    </message>
    <message>
        <source>%1: could not be written</source>
        <translation>%1：无法写入</translation>
    </message>
    <message>
        <source>Export picture</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <source>SVG picture (*.svg);;PNG image (*.png)</source>
        <translation>SVG 矢量图 (*.svg);;PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>%1[*] — QuantFold</source>
        <translation>%1[*] — QuantFold</translation>
    </message>
    <message>
        <source>Folds into %1 &apos;%2&apos;.</source>
        <translation>折叠进 %1“%2”。</translation>
    </message>
    <message>
        <source>Cannot fold: %1</source>
        <translation>无法折叠：%1</translation>
    </message>
    <message>
        <source>This runtime cannot execute this layer.</source>
        <translation>本运行时无法执行该层。</translation>
    </message>
    <message>
        <source>Fold &apos;%1&apos; into &apos;%2&apos;</source>
        <translation>将“%1”折叠进“%2”</translation>
    </message>
    <message>
        <source>Fold %1 into &apos;%2&apos;</source>
        <translation>将 %1 折叠进“%2”</translation>
    </message>
    <message>
        <source>Fold into one layer</source>
        <translation>折叠为一层</translation>
    </message>
    <message>
        <source>Unfold &apos;%1&apos;</source>
        <translation>展开“%1”</translation>
    </message>
    <message>
        <source>Zoom to Layer</source>
        <translation>缩放到该层</translation>
    </message>
    <message>
        <source>Copy Name</source>
        <translation>复制名称</translation>
    </message>
    <message>
        <source>Fit to Window</source>
        <translation>适应窗口</translation>
    </message>
    <message numerus="yes">
        <source>Folding %n layer(s)</source>
        <translation>
            <numerusform>正在折叠 %n 层</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n 个匹配项</numerusform>
        </translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Before / After</source>
        <translation>前后对比(&amp;B)</translation>
    </message>
    <message>
        <source>The model as loaded beside the folded graph, with one selection</source>
        <translation>加载时的模型与折叠后的计算图并排显示，选择同步</translation>
    </message>
    <message>
        <source>Exported into %1: %2</source>
        <translation>已导出到 %1：%2</translation>
    </message>
    <message>
        <source>Input shape</source>
        <translation>输入形状</translation>
    </message>
    <message>
        <source>&amp;Input Shape…</source>
        <translation>输入形状(&amp;I)…</translation>
    </message>
    <message>
        <source>Give a TensorFlow graph&apos;s unknown input dimensions</source>
        <translation>为 TensorFlow 计算图填写未知的输入维度</translation>
    </message>
    <message>
        <source>Not an input shape</source>
        <translation>不是有效的输入形状</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an input shape: give comma-separated dimensions, each positive or -1 (unknown), e.g. 1,224,224,3</source>
        <translation>“%1”不是有效的输入形状：请给出以逗号分隔的维度，每一维为正数或 -1（未知），例如 1,224,224,3</translation>
    </message>
    <message>
        <source>Saving; choose Model &gt; Input Shape again to reopen</source>
        <translation>正在保存；请再次选择“模型 &gt; 输入形状”以重新打开</translation>
    </message>
    <message>
        <source>Reopening %1 with the input shape %2</source>
        <translation>正在以输入形状 %2 重新打开 %1</translation>
    </message>
    <message>
        <source>Input shape of %1 in TensorFlow&apos;s order
(N,H,W,C for an image; -1 keeps a dimension unknown):</source>
        <translation>%1 的输入形状，按 TensorFlow 的顺序
（图像为 N,H,W,C；-1 表示该维保持未知）：</translation>
    </message>
    <message>
        <source>&amp;Limits…</source>
        <translation>限制(&amp;L)…</translation>
    </message>
    <message>
        <source>Limits: tensors up to %1 values, images up to %2 pixels</source>
        <translation>限制：张量最多 %1 个数值，图像最多 %2 像素</translation>
    </message>
</context>
<context>
    <name>qf::ui::MiniMap</name>
    <message>
        <source>Overview: click or drag to move the view</source>
        <translation>概览：点击或拖动以移动视图</translation>
    </message>
</context>
<context>
    <name>qf::ui::PropertiesPanel</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Zeros</source>
        <translation>零值</translation>
    </message>
    <message>
        <source>%1 values are NaN or infinite</source>
        <translation>%1 个值为 NaN 或无穷大</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy all properties as text (tab-separated)</source>
        <translation>将全部属性复制为文本（以制表符分隔）</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Layer %1: %2 (%3)</source>
        <translation>第 %1 层：%2（%3）</translation>
    </message>
    <message>
        <source>Inferring shapes…</source>
        <translation>正在推断形状…</translation>
    </message>
    <message>
        <source>Shapes are unknown past a layer that cannot run: %1</source>
        <translation>无法运行的层之后的形状未知：%1</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>计算量</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Multiply-accumulates</source>
        <translation>乘累加次数</translation>
    </message>
    <message>
        <source>unknown (shapes needed)</source>
        <translation>未知（需要形状）</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>graph input</source>
        <translation>图输入</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Output channels</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>通道数</translation>
    </message>
    <message>
        <source>All-zero channels</source>
        <translation>全零通道</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Per channel (ε = %1)</source>
        <translation>逐通道参数（ε = %1）</translation>
    </message>
    <message>
        <source>Near-zero variance (&lt; %1·ε)</source>
        <translation>方差接近零（&lt; %1·ε）</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Variance</source>
        <translation>方差</translation>
    </message>
    <message>
        <source>γ</source>
        <translation>γ</translation>
    </message>
    <message>
        <source>β</source>
        <translation>β</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model %1</source>
        <translation>模型 %1</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message numerus="yes">
        <source>(%n layer(s) not counted: shapes unknown)</source>
        <translation>
            <numerusform>（%n 层未计入：形状未知）</numerusform>
        </translation>
    </message>
    <message>
        <source>Heaviest layers</source>
        <translation>计算量最大的层</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Op</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>乘累加</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Layers by op</source>
        <translation>按算子统计的层数</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>weight range (min to max)</source>
        <translation>权重范围（最小值至最大值）</translation>
    </message>
    <message>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>all-zero channel</source>
        <translation>全零通道</translation>
    </message>
    <message>
        <source>output channel</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>weight range</source>
        <translation>权重范围</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>variance</source>
        <translation>方差</translation>
    </message>
    <message>
        <source>near-zero variance</source>
        <translation>方差接近零</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>%1 — %2, %3</source>
        <translation>%1 — %2，%3</translation>
    </message>
    <message>
        <source>Near-zero channels (max |w| &lt; %1 of the layer&apos;s)</source>
        <translation>接近零的通道（最大 |w| &lt; 本层最大值的 %1）</translation>
    </message>
    <message>
        <source>near-zero channel</source>
        <translation>接近零的通道</translation>
    </message>
    <message>
        <source>γ and β</source>
        <translation>γ 与 β</translation>
    </message>
    <message>
        <source>in the Scale layer %1 after it</source>
        <translation>位于其后的 Scale 层 %1 中</translation>
    </message>
    <message>
        <source>Per channel</source>
        <translation>逐通道参数</translation>
    </message>
    <message>
        <source>Channel checks</source>
        <translation>通道检查</translation>
    </message>
</context>
<context>
    <name>qf::ui::QuantSession</name>
    <message>
        <source>Calibration failed</source>
        <translation>校准失败</translation>
    </message>
    <message>
        <source>Cannot save the int8 settings</source>
        <translation>无法保存 int8 设置</translation>
    </message>
    <message>
        <source>Cannot read the project&apos;s int8 settings</source>
        <translation>无法读取项目的 int8 设置</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>Open a model first.</source>
        <translation>请先打开模型。</translation>
    </message>
    <message>
        <source>Choose a folder of calibration images first.</source>
        <translation>请先选择校准图像文件夹。</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>正在校准</translation>
    </message>
    <message>
        <source>Int8 edit</source>
        <translation>Int8 编辑</translation>
    </message>
    <message>
        <source>Calibrate first.</source>
        <translation>请先校准。</translation>
    </message>
    <message>
        <source>The edit does not apply</source>
        <translation>该编辑无法应用</translation>
    </message>
    <message>
        <source>The int8 comparison failed</source>
        <translation>int8 比较失败</translation>
    </message>
    <message>
        <source>Per-channel weight scales</source>
        <translation>按通道的权重尺度</translation>
    </message>
    <message>
        <source>Per-tensor weight scales</source>
        <translation>按张量的权重尺度</translation>
    </message>
    <message>
        <source>Bias correction on</source>
        <translation>开启偏置校正</translation>
    </message>
    <message>
        <source>Bias correction off</source>
        <translation>关闭偏置校正</translation>
    </message>
</context>
<context>
    <name>qf::ui::SensitivityView</name>
    <message>
        <source>Rank Layer Sensitivity</source>
        <translation>层敏感度排序</translation>
    </message>
    <message>
        <source>Quantizes one layer at a time, the rest in FP32, and ranks the layers by the output SQNR each gives alone (worst first)</source>
        <translation>每次只量化一层、其余保持 FP32，并按各层单独造成的输出 SQNR 排序（最差在前）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Images to measure on (each layer runs the int8 model over them)</source>
        <translation>用于测量的图像数（每一层都要在这些图像上运行 int8 模型）</translation>
    </message>
    <message>
        <source>on</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>image(s)</source>
        <translation>张图像</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Output SQNR (dB)</source>
        <translation>输出 SQNR（分贝）</translation>
    </message>
    <message>
        <source>Output cosine</source>
        <translation>输出余弦相似度</translation>
    </message>
    <message>
        <source>Calibrate first: the ranking uses the calibration table and its images.</source>
        <translation>请先校准：排序使用校准表及其图像。</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>准备中…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <source>%1 of %2: %3</source>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
    <message>
        <source>Cancelled; the previous ranking stays.</source>
        <translation>已取消；保留之前的排序。</translation>
    </message>
    <message>
        <source>The ranking failed: %1</source>
        <translation>排序失败：%1</translation>
    </message>
    <message>
        <source>Ranking the layers…</source>
        <translation>正在为各层排序…</translation>
    </message>
    <message>
        <source>Not ranked yet: the ranking quantizes one layer at a time and measures the first output.</source>
        <translation>尚未排序：排序每次量化一层，并测量第一个输出。</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) ranked on %1 image(s), worst first.</source>
        <translation>
            <numerusform>已在 %1 张图像上为 %n 层排序，最差在前。</numerusform>
        </translation>
    </message>
    <message>
        <source>⟳ stale: the model, the table or the int8 options changed since; rank again.</source>
        <translation>⟳ 已过期：模型、校准表或 int8 选项已更改；请重新排序。</translation>
    </message>
</context>
<context>
    <name>qf::ui::VerifyDialog</name>
    <message>
        <source>Verify the folds on images</source>
        <translation>用图像验证折叠结果</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Image folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>from the model</source>
        <translation>取自模型</translation>
    </message>
    <message>
        <source>RGB</source>
        <translation>RGB</translation>
    </message>
    <message>
        <source>BGR</source>
        <translation>BGR</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Centre crop</source>
        <translation>中心裁剪</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Image folder:</source>
        <translation>图像文件夹：</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>宽度：</translation>
    </message>
    <message>
        <source>Height:</source>
        <translation>高度：</translation>
    </message>
    <message>
        <source>Pixel scale:</source>
        <translation>像素缩放系数：</translation>
    </message>
    <message>
        <source>Mean (per channel):</source>
        <translation>均值（逐通道）：</translation>
    </message>
    <message>
        <source>Std (per channel):</source>
        <translation>标准差（逐通道）：</translation>
    </message>
    <message>
        <source>Channel order:</source>
        <translation>通道顺序：</translation>
    </message>
    <message>
        <source>Resize shorter side to:</source>
        <translation>短边缩放至：</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>图像数：</translation>
    </message>
    <message>
        <source>x = (pixel × scale − mean) / std, per channel</source>
        <translation>x = (像素 × 缩放系数 − 均值) / 标准差，逐通道</translation>
    </message>
</context>
</TS>
