#include "ui/undo_commands.h"

namespace qf::ui {

FoldCommand::FoldCommand(Document& document, const QString& text, ModelState after,
                         qf::GraphEdit undo, QUndoCommand* parent)
    : QUndoCommand(text, parent),
      document_(document),
      after_(std::move(after)),
      record_(after_.folded.empty() ? qf::FoldRecord{} : after_.folded.back()),
      undo_(std::move(undo)) {}

void FoldCommand::redo() {
    if (first_) {
        first_ = false;
        document_.setState(std::move(after_));
        after_ = {};
        return;
    }
    std::vector<qf::FoldRecord> folded = document_.state().folded;
    folded.push_back(record_);
    undo_ = document_.applyEdit(redo_, std::move(folded));
}

void FoldCommand::undo() {
    std::vector<qf::FoldRecord> folded = document_.state().folded;
    if (!folded.empty()) folded.pop_back();  // linear history: this fold is the last one
    redo_ = document_.applyEdit(undo_, std::move(folded));
}

StateCommand::StateCommand(Document& document, const QString& text, ModelState before,
                           ModelState after, QUndoCommand* parent)
    : QUndoCommand(text, parent),
      document_(document),
      before_(std::move(before)),
      after_(std::move(after)) {}

void StateCommand::undo() { document_.setState(before_); }

void StateCommand::redo() { document_.setState(after_); }

}  // namespace qf::ui
