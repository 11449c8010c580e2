#include "ui/undo_commands.h"

namespace qf::ui {

StateCommand::StateCommand(Document& document, const QString& text, ModelState before,
                           ModelState after, QUndoCommand* parent)
    : QUndoCommand(text, parent),
      document_(document),
      before_(std::move(before)),
      after_(std::move(after)) {}

void StateCommand::undo() { document_.setState(before_); }

void StateCommand::redo() { document_.setState(after_); }

}  // namespace qf::ui
