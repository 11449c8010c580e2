#pragma once
#include <QUndoCommand>

#include "passes/graph_edit.h"
#include "ui/model_document.h"

namespace qf::ui {

// One fold: an undo command over the core's undoable edit. The first redo adopts the state the
// fold produced; after that, undo and redo apply the core's edits (each returning its inverse)
// to a copy of the current graph, which shares its weights.
class FoldCommand : public QUndoCommand {
public:
    FoldCommand(Document& document, const QString& text, ModelState after, qf::GraphEdit undo,
                QUndoCommand* parent = nullptr);
    void undo() override;
    void redo() override;

private:
    Document& document_;
    ModelState after_;  // until the first redo
    bool first_ = true;
    qf::FoldRecord record_;
    qf::GraphEdit undo_, redo_;
};

// An edit that is not one fold (unfolding a pair out of order, which the core's linear edits do
// not cover): switches between two snapshots; they share their weights.
class StateCommand : public QUndoCommand {
public:
    StateCommand(Document& document, const QString& text, ModelState before, ModelState after,
                 QUndoCommand* parent = nullptr);
    void undo() override;
    void redo() override;

private:
    Document& document_;
    ModelState before_;
    ModelState after_;
};

}  // namespace qf::ui
