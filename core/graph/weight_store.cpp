#include "graph/weight_store.h"

#include "util/error.h"

namespace qf {

const Tensor* WeightStore::get(const std::string& name) const {
    const auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : it->second.get();
}

const Tensor& WeightStore::at(const std::string& name) const {
    const Tensor* tensor = get(name);
    if (!tensor) throw Error("there is no weight named '" + name + "'");
    return *tensor;
}

void WeightStore::set(const std::string& name, Tensor value) {
    tensors_[name] = std::make_shared<Tensor>(std::move(value));
}

std::shared_ptr<const Tensor> WeightStore::shared(const std::string& name) const {
    const auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : it->second;
}

void WeightStore::setShared(const std::string& name, std::shared_ptr<const Tensor> value) {
    if (!value) {
        tensors_.erase(name);
        return;
    }
    tensors_[name] = std::move(value);
}

bool WeightStore::erase(const std::string& name) { return tensors_.erase(name) != 0; }

Tensor& WeightStore::mutableTensor(const std::string& name) {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw Error("there is no weight named '" + name + "'");
    // Only this store holds a tensor with a use count of one, and only this store (which the
    // caller is writing, so nobody copies it concurrently) could hand out another reference.
    if (it->second.use_count() != 1) it->second = std::make_shared<Tensor>(*it->second);
    // Every tensor the store creates is a non-const Tensor (make_shared<Tensor>), so writing
    // through the sole reference is sound.
    return const_cast<Tensor&>(*it->second);
}

bool WeightStore::sharesWith(const WeightStore& other, const std::string& name) const {
    const Tensor* mine = get(name);
    return mine != nullptr && mine == other.get(name);
}

}  // namespace qf
