#pragma once
#include <cstddef>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "graph/tensor.h"

namespace qf {

// One weight as an edit saw it: the tensor object itself (shared, never copied), or null for
// "no weight of that name".
struct NamedWeight {
    std::string name;
    std::shared_ptr<const Tensor> tensor;
};

// A graph's constant tensors by name. Copying a store copies only pointers: the copy and the
// original share every tensor until one of them writes it (mutableTensor clones a tensor that
// another store still holds), so a snapshot for a background job or an undo step costs no
// weight copy. Reads see `const Tensor`; iteration is in name order.
class WeightStore {
    using Map = std::map<std::string, std::shared_ptr<const Tensor>>;

public:
    // What iteration yields: `for (const auto& [name, tensor] : store)`, `entry.first`.
    using Entry = std::pair<const std::string&, const Tensor&>;

    class const_iterator {
    public:
        using iterator_category = std::bidirectional_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using reference = Entry;
        struct Arrow {
            Entry entry;
            const Entry* operator->() const { return &entry; }
        };
        using pointer = Arrow;

        const_iterator() = default;
        explicit const_iterator(Map::const_iterator it) : it_(it) {}
        Entry operator*() const { return {it_->first, *it_->second}; }
        Arrow operator->() const { return {**this}; }
        const_iterator& operator++() {
            ++it_;
            return *this;
        }
        const_iterator operator++(int) { return const_iterator(it_++); }
        const_iterator& operator--() {
            --it_;
            return *this;
        }
        bool operator==(const const_iterator& other) const { return it_ == other.it_; }
        bool operator!=(const const_iterator& other) const { return it_ != other.it_; }

    private:
        Map::const_iterator it_;
    };
    using iterator = const_iterator;

    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    size_t count(const std::string& name) const { return tensors_.count(name); }
    size_t size() const { return tensors_.size(); }
    bool empty() const { return tensors_.empty(); }
    const_iterator begin() const { return const_iterator(tensors_.begin()); }
    const_iterator end() const { return const_iterator(tensors_.end()); }
    const_iterator find(const std::string& name) const {
        return const_iterator(tensors_.find(name));
    }
    // nullptr when there is no such weight.
    const Tensor* get(const std::string& name) const;
    // Throws qf::Error naming the weight when there is no such weight.
    const Tensor& at(const std::string& name) const;

    // Stores (or replaces) a weight.
    void set(const std::string& name, Tensor value);
    // The tensor object itself, for edits that keep a weight to put it back exactly; null
    // when absent.
    std::shared_ptr<const Tensor> shared(const std::string& name) const;
    // Stores that very tensor object (no copy); null erases the weight.
    void setShared(const std::string& name, std::shared_ptr<const Tensor> value);
    // Returns whether there was such a weight.
    bool erase(const std::string& name);
    void clear() { tensors_.clear(); }
    // The weight for writing; clones it first when another store (a copy of the graph, an undo
    // step) still holds it, so nobody else sees the write. Throws when absent.
    Tensor& mutableTensor(const std::string& name);

    // Whether both stores hold the very same tensor object under `name`.
    bool sharesWith(const WeightStore& other, const std::string& name) const;

private:
    Map tensors_;
};

}  // namespace qf
