#pragma once
// Edit ▸ Limits…: the largest tensor (in values) and the largest image (in pixels) the app
// accepts, checked before anything is allocated so a hostile or mistaken file ends in an error
// instead of exhausting the memory. Kept in QSettings; they apply to everything loaded after
// the change (the core's qf::setMaxTensorValues and qf::setDefaultMaxImagePixels).
#include "images/preprocessing.h"

class QWidget;

namespace qf::ui {

// `pre` with the current image limit: settings made before a change of the limits keep the
// limit they were made with, and images are read with the one in force.
qf::Preprocessing withCurrentLimits(qf::Preprocessing pre);

// Applies the saved limits (or the core's defaults); call once in main after QApplication
// exists, like the language.
void applySavedLimits();

// Shows the dialog; saves and applies the limits when accepted. Returns whether it was.
bool editLimits(QWidget* parent);

}  // namespace qf::ui
