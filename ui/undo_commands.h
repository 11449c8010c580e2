#pragma once
#include <QUndoCommand>

#include "ui/model_document.h"

namespace qf::ui {

// One edit of the document: switches between the state before and the state after. The states
// are snapshots sharing what did not change, so redo after undo gives exactly the same graph.
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
