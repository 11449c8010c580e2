#pragma once
#include <QMainWindow>
#include <QMessageBox>
#include <functional>

#include "ui/model_document.h"

class QDockWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QToolBar;
class QUndoView;
class QTextBrowser;
class QMenu;

namespace qf::ui {

class GraphView;
class LayersPanel;
class LogPanel;
class FoldReportPanel;
class PropertiesPanel;
class Int8Workbench;
class ExportDialog;
class BeforeAfterView;
class HeatMapControl;

// Every question the window asks the user, injectable so tests run without modal loops.
struct WindowPrompts {
    std::function<void(const ErrorReport& error)> showError;
    // The .caffemodel for a prototxt that has none beside it; "" cancels the open.
    std::function<QString(const QString& prototxt)> askWeights;
    // The new location of a file a project names; "" gives up.
    std::function<QString(const QString& missingPath)> locateMissingFile;
    // Whether to write over files the model was opened from.
    std::function<bool(const QStringList& files)> confirmOverwrite;
    // On close with unsaved changes: Save, Discard or Cancel.
    std::function<QMessageBox::StandardButton()> askSaveChanges;
    // Save As target: model path and (Caffe) weights path; empty model cancels.
    std::function<std::pair<QString, QString>()> askSavePaths;
    // Model > Input Shape: the shape as "N,H,W,C" text, starting from `current`; a null
    // QString cancels.
    std::function<QString(const QString& current)> askInputShape;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens what a command line or a drop names: MODEL, MODEL WEIGHTS, or PROJECT.qfproj.
    // Returns false (after telling the user) when the arguments make no sense.
    bool openFiles(const QStringList& paths);
    void setPrompts(WindowPrompts prompts);
    const WindowPrompts& prompts() const { return prompts_; }

    Document* document() const { return document_; }
    GraphView* graphView() const { return view_; }
    // View > Before / After: the graph area split into the original and the current graph.
    BeforeAfterView* beforeAfterView() const { return beforeAfter_; }
    LayersPanel* layersPanel() const { return layers_; }
    LogPanel* logPanel() const { return log_; }
    FoldReportPanel* foldReportPanel() const { return foldReport_; }
    QStringList recentFiles() const;
    QDockWidget* propertiesDock() const { return propertiesDock_; }
    Int8Workbench* int8() const { return int8_; }
    // File > Export…: created on first use, shown without blocking the window.
    ExportDialog* exportDialog();
    void showExportDialog();
    HeatMapControl* heatMap() const { return heatMap_; }

    // Starts Save As with prompts().askSavePaths; false when cancelled.
    bool saveAs();
    // Model > Input Shape…: asks (prompts().askInputShape) for a TensorFlow graph's input shape
    // and reopens the model with it; with unsaved folds, only when the user discards them (Save
    // saves first, and the user chooses it again).
    void setInputShape();
    void exportPicture(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void restoreLayout();
    void addRecent(const QStringList& entry);
    void rebuildRecentMenu();
    void updateTitle();
    void onPictureReady();
    void onNodeSelected(const QString& name);
    void showProperties(const QString& name);
    void showNodeMenu(const QString& name, const QPoint& globalPos);
    void openDialog();
    void openProjectDialog();
    void saveProjectDialog();
    void exportPictureDialog();
    void verifyDialog();
    void runFind();

    Document* document_;
    GraphView* view_;
    BeforeAfterView* beforeAfter_;
    LayersPanel* layers_;
    LogPanel* log_;
    FoldReportPanel* foldReport_;
    PropertiesPanel* properties_;
    Int8Workbench* int8_ = nullptr;
    ExportDialog* export_ = nullptr;
    HeatMapControl* heatMap_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QAction* splitAction_ = nullptr;  // View > Before / After
    QDockWidget* layersDock_;
    QDockWidget* logDock_;
    QDockWidget* propertiesDock_;
    QDockWidget* foldDock_;
    QDockWidget* historyDock_;
    QToolBar* findBar_;
    QLineEdit* findEdit_;
    QLabel* findCount_;
    QLabel* statusText_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QMenu* recentMenu_;
    WindowPrompts prompts_;
    QString selected_;
    bool selecting_ = false;
    bool closeAfterSave_ = false;
    bool firstPicture_ = true;
    QStringList pendingRecent_;
};

}  // namespace qf::ui
