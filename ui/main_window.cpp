#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QUndoView>
#include <algorithm>
#include <cstring>

#include "formats/model_io.h"
#include "ui/before_after_view.h"
#include "ui/calibration/int8_workbench.h"
#include "ui/comparison/heat_map_control.h"
#include "ui/export_dialog.h"
#include "ui/fold_report_panel.h"
#include "ui/graph_items.h"
#include "ui/graph_view.h"
#include "ui/language.h"
#include "ui/layers_panel.h"
#include "ui/limits_dialog.h"
#include "ui/log_panel.h"
#include "ui/properties/properties_panel.h"

namespace qf::ui {
namespace {

constexpr int kMaxRecent = 10;

bool hasSuffix(const QString& path, const char* suffix) {
    return path.endsWith(QLatin1String(suffix), Qt::CaseInsensitive);
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("MainWindow"));
    document_ = new Document(this);
    view_ = new GraphView(this);
    beforeAfter_ = new BeforeAfterView(*document_, view_, this);
    setCentralWidget(beforeAfter_);
    setAcceptDrops(true);

    // Default prompts: the real dialogs.
    prompts_.showError = [this](const ErrorReport& error) {
        QMessageBox box(QMessageBox::Critical,
                        error.title.isEmpty() ? tr("QuantFold") : error.title, error.message,
                        QMessageBox::Ok, this);
        if (!error.file.isEmpty())
            box.setInformativeText(error.line > 0
                                       ? tr("File: %1, line %2").arg(error.file).arg(error.line)
                                       : tr("File: %1").arg(error.file));
        box.exec();
    };
    prompts_.askWeights = [this](const QString& prototxt) {
        return QFileDialog::getOpenFileName(
            this, tr("Weights for %1").arg(QFileInfo(prototxt).fileName()),
            QFileInfo(prototxt).absolutePath(), tr("Caffe weights (*.caffemodel)"));
    };
    prompts_.locateMissingFile = [this](const QString& missing) {
        QMessageBox::information(
            this, tr("File moved"),
            tr("The project names %1, which is not there any more. Where is it now?").arg(missing));
        return QFileDialog::getOpenFileName(
            this, tr("Locate %1").arg(QFileInfo(missing).fileName()), QString(),
            tr("%1 (%1);;All files (*)").arg(QFileInfo(missing).fileName()));
    };
    prompts_.confirmOverwrite = [this](const QStringList& files) {
        return QMessageBox::warning(this, tr("Overwrite the opened model?"),
                                    tr("This writes over the files the model was opened "
                                       "from:\n%1\n\nOverwrite them?")
                                        .arg(files.join(QLatin1Char('\n'))),
                                    QMessageBox::Yes | QMessageBox::No,
                                    QMessageBox::No) == QMessageBox::Yes;
    };
    prompts_.askSaveChanges = [this] {
        return QMessageBox::question(
            this, tr("Unsaved changes"), tr("The model has changes that are not saved. Save them?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    };
    prompts_.askSavePaths = [this]() -> std::pair<QString, QString> {
        const bool caffe = document_->state().graph->format == "caffe";
        const bool tensorflow = document_->state().graph->format == "tensorflow";
        const QString start = QFileInfo(document_->modelPath()).absolutePath();
        const QString model =
            QFileDialog::getSaveFileName(this, tr("Save model as"), start,
                                         caffe        ? tr("Caffe model (*.prototxt)")
                                         : tensorflow ? tr("TensorFlow frozen graph (*.pb)")
                                                      : tr("ONNX model (*.onnx)"));
        if (model.isEmpty() || !caffe) return {model, QString()};
        QString stem = model;
        if (hasSuffix(stem, ".prototxt")) stem.chop(9);
        return {model, stem + QStringLiteral(".caffemodel")};
    };
    prompts_.askInputShape = [this](const QString& current) {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, tr("Input shape"),
                                  tr("Input shape of %1 in TensorFlow's order\n"
                                     "(N,H,W,C for an image; -1 keeps a dimension unknown):")
                                      .arg(QFileInfo(document_->modelPath()).fileName()),
                                  QLineEdit::Normal, current, &ok);
        return ok ? text : QString();
    };
    setPrompts(prompts_);

    createDocks();
    createActions();
    createStatusBar();
    int8_ = new Int8Workbench(*this, *document_, progress_, cancel_, statusText_);
    connect(int8_, &Int8Workbench::nodeActivated, this, [this](const QString& name) {
        view_->selectNode(name, true);
        onNodeSelected(name);
    });
    // The int8 error heat map on the graph: View menu and a tool bar of its own.
    heatMap_ = new HeatMapControl(*view_, *int8_->session(), this);
    // Beside View > Before / After, in the group of ways to show the graph, before the docks.
    const QList<QAction*> viewActions = viewMenu_->actions();
    const auto before =
        std::find_if(viewActions.begin() + viewActions.indexOf(splitAction_), viewActions.end(),
                     [](const QAction* action) { return action->isSeparator(); });
    viewMenu_->insertAction(before == viewActions.end() ? nullptr : *before,
                            heatMap_->toggleAction());
    if (auto* tools = findChild<QToolBar*>(QStringLiteral("MainToolBar")))
        tools->addAction(heatMap_->toggleAction());

    connect(document_, &Document::modelOpened, this, [this] {
        firstPicture_ = true;
        if (!pendingRecent_.isEmpty()) addRecent(std::exchange(pendingRecent_, {}));
        log_->addMessage(LogPanel::Level::Info,
                         tr("Opened %1: %n layer(s)", nullptr,
                            static_cast<int>(document_->state().graph->nodes.size()))
                             .arg(document_->modelPath()));
        for (const auto& warning : document_->warnings())
            log_->addReport(LogPanel::Level::Warning, warning);
        foldReport_->clearVerification();
        updateTitle();
    });
    connect(document_, &Document::pictureReady, this, &MainWindow::onPictureReady);
    connect(document_, &Document::errorOccurred, this, [this](const ErrorReport& error) {
        pendingRecent_.clear();
        log_->addReport(LogPanel::Level::Error, error);
        if (prompts_.showError) prompts_.showError(error);
    });
    connect(document_, &Document::modifiedChanged, this, [this] { updateTitle(); });
    connect(document_, &Document::pathsChanged, this, [this] { updateTitle(); });
    connect(document_, &Document::saved, this, [this](const QString& path) {
        log_->addMessage(LogPanel::Level::Info, tr("Saved %1").arg(path));
        statusText_->setText(tr("Saved %1").arg(QFileInfo(path).fileName()));
        if (closeAfterSave_) close();
    });
    connect(document_, &Document::projectSaved, this, [this](const QString& path) {
        log_->addMessage(LogPanel::Level::Info, tr("Saved project %1").arg(path));
        addRecent({path});
    });
    connect(document_, &Document::verificationFinished, this,
            [this](const qf::ComparisonReport& report) {
                foldReport_->setVerification(report);
                double worst = 0;
                for (const auto& output : report.outputs)
                    worst = std::max(worst, output.maxAbsDiff);
                log_->addMessage(LogPanel::Level::Info,
                                 tr("Verified on %n image(s): largest |folded − original| = %1",
                                    nullptr, report.images)
                                     .arg(worst, 0, 'g', 3));
                foldDock_->raise();
            });
    connect(document_, &Document::modelChanged, this, [this] { updateTitle(); });
    connect(view_, &GraphView::nodeSelected, this, &MainWindow::onNodeSelected);
    connect(beforeAfter_, &BeforeAfterView::currentNodeActivated, this,
            &MainWindow::onNodeSelected);
    connect(view_, &GraphView::nodeContextMenu, this, &MainWindow::showNodeMenu);
    connect(layers_, &LayersPanel::nodeSelected, this, [this](const QString& name) {
        if (selecting_) return;
        view_->selectNode(name, true);
        onNodeSelected(name);
    });
    connect(log_, &LogPanel::nodeActivated, this, [this](const QString& name) {
        view_->selectNode(name, true);
        onNodeSelected(name);
    });
    connect(foldReport_, &FoldReportPanel::nodeActivated, this, [this](const QString& name) {
        view_->selectNode(name, true);
        onNodeSelected(name);
    });
    connect(foldReport_, &FoldReportPanel::foldAllRequested, document_, &Document::foldAll);
    connect(foldReport_, &FoldReportPanel::verifyRequested, this, &MainWindow::verifyDialog);

    restoreLayout();
    updateTitle();
}

MainWindow::~MainWindow() {
    // Children (the document, the view) go after this body; nothing they signal then may reach
    // this half-destroyed window.
    disconnect(document_, nullptr, this, nullptr);
    disconnect(view_, nullptr, this, nullptr);
}

void MainWindow::setPrompts(WindowPrompts prompts) {
    prompts_ = std::move(prompts);
    DocumentPrompts forDocument;
    forDocument.locateMissingFile = [this](const QString& path) {
        return prompts_.locateMissingFile ? prompts_.locateMissingFile(path) : QString();
    };
    document_->setPrompts(forDocument);
}

void MainWindow::createDocks() {
    setDockNestingEnabled(true);
    layers_ = new LayersPanel(this);
    layersDock_ = new QDockWidget(tr("Layers"), this);
    layersDock_->setObjectName(QStringLiteral("LayersDock"));
    layersDock_->setWidget(layers_);
    addDockWidget(Qt::LeftDockWidgetArea, layersDock_);

    // Properties: everything about the selected layer, or the model's summary.
    properties_ = new PropertiesPanel(this);
    connect(properties_, &PropertiesPanel::nodeActivated, this, [this](const QString& name) {
        view_->selectNode(name, true);
        onNodeSelected(name);
    });
    propertiesDock_ = new QDockWidget(tr("Properties"), this);
    propertiesDock_->setObjectName(QStringLiteral("PropertiesDock"));
    propertiesDock_->setWidget(properties_);
    addDockWidget(Qt::RightDockWidgetArea, propertiesDock_);

    foldReport_ = new FoldReportPanel(this);
    foldDock_ = new QDockWidget(tr("Fold report"), this);
    foldDock_->setObjectName(QStringLiteral("FoldReportDock"));
    foldDock_->setWidget(foldReport_);
    addDockWidget(Qt::RightDockWidgetArea, foldDock_);

    log_ = new LogPanel(this);
    logDock_ = new QDockWidget(tr("Log"), this);
    logDock_->setObjectName(QStringLiteral("LogDock"));
    logDock_->setWidget(log_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);

    auto* history = new QUndoView(document_->undoStack(), this);
    history->setEmptyLabel(tr("<opened model>"));
    historyDock_ = new QDockWidget(tr("History"), this);
    historyDock_->setObjectName(QStringLiteral("HistoryDock"));
    historyDock_->setWidget(history);
    addDockWidget(Qt::BottomDockWidgetArea, historyDock_);
    tabifyDockWidget(logDock_, historyDock_);
    logDock_->raise();
    resizeDocks({layersDock_, propertiesDock_}, {480, 440}, Qt::Horizontal);
    // Properties holds tables and a plot: most of the right column by default.
    resizeDocks({propertiesDock_, foldDock_}, {620, 230}, Qt::Vertical);
    resizeDocks({logDock_}, {150}, Qt::Vertical);
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Project…"), this, &MainWindow::openProjectDialog);
    file->addSeparator();
    QAction* save = file->addAction(tr("Save Model &As…"), this, [this] { saveAs(); });
    save->setShortcut(QKeySequence::SaveAs);
    file->addAction(tr("Save Pro&ject As…"), this, &MainWindow::saveProjectDialog);
    file->addAction(tr("&Export Picture…"), this, &MainWindow::exportPictureDialog);
    QAction* exportAction = file->addAction(tr("E&xport…"), this, &MainWindow::showExportDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportAction->setEnabled(false);  // until a model is open
    connect(document_, &Document::modelOpened, exportAction,
            [exportAction] { exportAction->setEnabled(true); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    rebuildRecentMenu();

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    QAction* find = edit->addAction(tr("&Find…"), this, [this] {
        findBar_->show();
        findEdit_->setFocus();
        findEdit_->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QAction* next = edit->addAction(tr("Find &Next"), this, [this] {
        view_->findNext();
        runFind();
    });
    next->setShortcut(QKeySequence::FindNext);
    QAction* previous = edit->addAction(tr("Find &Previous"), this, [this] {
        view_->findPrevious();
        runFind();
    });
    previous->setShortcut(QKeySequence::FindPrevious);
    edit->addSeparator();
    edit->addAction(tr("&Limits…"), this, [this] {
        if (editLimits(this))
            log_->addMessage(LogPanel::Level::Info,
                             tr("Limits: tensors up to %1 values, images up to %2 pixels")
                                 .arg(QLocale().toString(qlonglong(qf::maxTensorValues())),
                                      QLocale().toString(qlonglong(qf::defaultMaxImagePixels()))));
    });
    edit->addAction(tr("&Copy Layer Name"), this, [this] {
        if (!selected_.isEmpty()) QApplication::clipboard()->setText(selected_);
    });

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu_ = viewMenu;
    QAction* fit = viewMenu->addAction(tr("&Fit to Window"), view_, &GraphView::fitToWindow);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction* in = viewMenu->addAction(tr("Zoom &In"), this, [this] { view_->zoomBy(1.25); });
    in->setShortcut(QKeySequence::ZoomIn);
    QAction* out = viewMenu->addAction(tr("Zoom &Out"), this, [this] { view_->zoomBy(0.8); });
    out->setShortcut(QKeySequence::ZoomOut);
    QAction* actual =
        viewMenu->addAction(tr("&Actual Size"), this, [this] { view_->setZoom(1.0); });
    actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* toSelection =
        viewMenu->addAction(tr("Zoom to &Selection"), view_, &GraphView::zoomToSelection);
    toSelection->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    viewMenu->addSeparator();
    QAction* split = viewMenu->addAction(tr("&Before / After"));
    splitAction_ = split;
    split->setCheckable(true);
    split->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    split->setToolTip(tr("The model as loaded beside the folded graph, with one selection"));
    connect(split, &QAction::toggled, beforeAfter_, &BeforeAfterView::setSplit);
    viewMenu->addSeparator();
    for (QDockWidget* dock : {layersDock_, propertiesDock_, foldDock_, logDock_, historyDock_})
        viewMenu->addAction(dock->toggleViewAction());
    viewMenu->addSeparator();
    viewMenu->addMenu(createLanguageMenu(this));  // applies at the next start

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    QAction* foldAll = model->addAction(tr("&Fold All"), this, [this] {
        const int folds = document_->foldAll();
        if (folds > 0)
            log_->addMessage(LogPanel::Level::Info, tr("Folding %n layer(s)", nullptr, folds));
    });
    foldAll->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    model->addAction(tr("&Verify Folds on Images…"), this, &MainWindow::verifyDialog);
    QAction* inputShape = model->addAction(tr("&Input Shape…"), this, &MainWindow::setInputShape);
    inputShape->setStatusTip(tr("Give a TensorFlow graph's unknown input dimensions"));
    inputShape->setEnabled(false);  // a TensorFlow graph's Placeholder only
    connect(document_, &Document::modelOpened, inputShape, [this, inputShape] {
        inputShape->setEnabled(document_->state().graph->format == "tensorflow");
    });

    QToolBar* tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("MainToolBar"));
    tools->addAction(open);
    tools->addAction(save);
    tools->addSeparator();
    tools->addAction(undo);
    tools->addAction(redo);
    tools->addSeparator();
    tools->addAction(fit);
    tools->addAction(in);
    tools->addAction(out);
    tools->addSeparator();
    tools->addAction(foldAll);
    tools->addAction(find);

    findBar_ = new QToolBar(tr("Find"), this);
    findBar_->setObjectName(QStringLiteral("FindBar"));
    findEdit_ = new QLineEdit(findBar_);
    findEdit_->setPlaceholderText(tr("Find layers and tensors (regular expression)"));
    findEdit_->setClearButtonEnabled(true);
    findEdit_->setMinimumWidth(280);
    findCount_ = new QLabel(findBar_);
    findCount_->setMinimumWidth(120);
    findBar_->addWidget(new QLabel(tr(" Find: "), findBar_));
    findBar_->addWidget(findEdit_);
    findBar_->addAction(tr("Previous"), this, [this] {
        view_->findPrevious();
        runFind();
    });
    findBar_->addAction(tr("Next"), this, [this] {
        view_->findNext();
        runFind();
    });
    findBar_->addWidget(findCount_);
    addToolBar(Qt::TopToolBarArea, findBar_);
    connect(findEdit_, &QLineEdit::textChanged, this, [this](const QString& text) {
        view_->find(text);
        if (!view_->findHits().isEmpty()) view_->findNext();
        runFind();
    });
    connect(findEdit_, &QLineEdit::returnPressed, this, [this] {
        view_->findNext();
        runFind();
    });
}

void MainWindow::runFind() {
    if (!view_->findPatternValid()) {
        findCount_->setText(tr("invalid expression"));
    } else if (findEdit_->text().isEmpty()) {
        findCount_->clear();
    } else if (view_->findHits().isEmpty()) {
        findCount_->setText(tr("no match"));
    } else if (view_->findIndex() < 0) {
        findCount_->setText(
            tr("%n match(es)", nullptr, static_cast<int>(view_->findHits().size())));
    } else {
        findCount_->setText(
            tr("%1 of %2").arg(view_->findIndex() + 1).arg(view_->findHits().size()));
    }
}

void MainWindow::createStatusBar() {
    statusText_ = new QLabel(tr("Open a model: File ▸ Open Model, or drop files here"), this);
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(220);
    progress_->setTextVisible(true);
    cancel_ = new QPushButton(tr("Cancel"), this);
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    progress_->hide();
    cancel_->hide();
    connect(cancel_, &QPushButton::clicked, this, [this] {
        document_->cancelJobs();
        log_->addMessage(LogPanel::Level::Info, tr("Cancelled"));
    });
    connect(document_, &Document::jobStarted, this, [this](const QString& title) {
        statusText_->setText(title + QStringLiteral("…"));
        progress_->setRange(0, 0);
        progress_->show();
        cancel_->show();
        if (title == tr("Verifying the folds")) foldReport_->setVerifying(true);
    });
    connect(document_, &Document::jobProgress, this, [this](long done, long total, const QString&) {
        if (total <= 0) return;
        progress_->setRange(0, 1000);
        progress_->setValue(static_cast<int>(1000.0 * done / total));
    });
    connect(document_, &Document::jobFinished, this, [this] {
        if (document_->isBusy()) return;
        progress_->hide();
        cancel_->hide();
        foldReport_->setVerifying(false);
        if (document_->hasModel())
            statusText_->setText(tr("%n layer(s), %1 foldable", nullptr,
                                    static_cast<int>(document_->state().graph->nodes.size()))
                                     .arg(document_->facts().foldableCount()));
        else
            statusText_->setText(tr("Ready"));
    });
}

void MainWindow::restoreLayout() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QScreen* screen = QGuiApplication::primaryScreen();
        const QRect available = screen ? screen->availableGeometry() : QRect(0, 0, 1500, 950);
        resize(available.size().boundedTo(QSize(1800, 1100)));
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

QStringList MainWindow::recentFiles() const {
    return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void MainWindow::addRecent(const QStringList& entry) {
    QStringList absolute;
    for (const auto& path : entry) absolute << QFileInfo(path).absoluteFilePath();
    const QString key = absolute.join(QLatin1Char('\n'));
    QStringList recent = recentFiles();
    recent.removeAll(key);
    recent.prepend(key);
    while (recent.size() > kMaxRecent) recent.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = recentFiles();
    for (const auto& key : recent) {
        const QStringList paths = key.split(QLatin1Char('\n'));
        QStringList names;
        for (const auto& path : paths) names << QFileInfo(path).fileName();
        QAction* action = recentMenu_->addAction(names.join(QStringLiteral(" + ")), this,
                                                 [this, paths] { openFiles(paths); });
        action->setToolTip(paths.join(QLatin1Char('\n')));
    }
    recentMenu_->setEnabled(!recent.isEmpty());
    if (!recent.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QStringLiteral("recentFiles"));
            rebuildRecentMenu();
        });
    }
}

bool MainWindow::openFiles(const QStringList& paths) {
    if (paths.isEmpty()) return false;
    const auto fail = [this](const QString& message) {
        ErrorReport error;
        error.title = tr("Cannot open");
        error.message = message;
        log_->addReport(LogPanel::Level::Error, error);
        if (prompts_.showError) prompts_.showError(error);
        return false;
    };
    const QString first = paths[0];
    if (hasSuffix(first, ".qfproj")) {
        pendingRecent_ = {first};
        document_->openProject(first);
        return true;
    }
    if (hasSuffix(first, ".onnx") || hasSuffix(first, ".pb")) {
        pendingRecent_ = {first};
        document_->open(first);
        return true;
    }
    if (hasSuffix(first, ".prototxt")) {
        QString weights = paths.size() > 1 ? paths[1] : QString();
        if (weights.isEmpty()) {
            // The .caffemodel with the same stem (or the stem without Caffe's usual "_deploy"
            // suffix: deploy.prototxt beside the trained weights), else ask.
            QString stem = first;
            stem.chop(9);
            QStringList stems{stem};
            for (const char* suffix : {"_deploy", "-deploy", ".deploy"})
                if (stem.endsWith(QLatin1String(suffix)))
                    stems << stem.left(stem.size() - int(std::strlen(suffix)));
            for (const auto& candidate : stems)
                if (weights.isEmpty() &&
                    QFileInfo::exists(candidate + QStringLiteral(".caffemodel")))
                    weights = candidate + QStringLiteral(".caffemodel");
            if (weights.isEmpty() && prompts_.askWeights) weights = prompts_.askWeights(first);
            if (weights.isEmpty()) return false;
        }
        pendingRecent_ = {first, weights};
        document_->open(first, weights);
        return true;
    }
    if (hasSuffix(first, ".caffemodel") && paths.size() > 1 && hasSuffix(paths[1], ".prototxt"))
        return openFiles({paths[1], first});
    return fail(
        tr("%1: not a model QuantFold opens (.prototxt + .caffemodel, .onnx, .pb or .qfproj)")
            .arg(first));
}

void MainWindow::openDialog() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open model"), QString(),
        tr("Models (*.prototxt *.onnx *.pb *.qfproj);;Caffe (*.prototxt *.caffemodel);;"
           "ONNX (*.onnx);;TensorFlow (*.pb);;QuantFold projects (*.qfproj)"));
    if (!files.isEmpty()) openFiles(files);
}

void MainWindow::openProjectDialog() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open project"), QString(),
                                                      tr("QuantFold projects (*.qfproj)"));
    if (!file.isEmpty()) openFiles({file});
}

void MainWindow::saveProjectDialog() {
    if (!document_->hasModel()) return;
    QString start = document_->projectPath();
    if (start.isEmpty()) {
        start = document_->modelPath();
        start = QFileInfo(start).absolutePath() + QLatin1Char('/') +
                QFileInfo(start).completeBaseName() + QStringLiteral(".qfproj");
    }
    QString file = QFileDialog::getSaveFileName(this, tr("Save project as"), start,
                                                tr("QuantFold projects (*.qfproj)"));
    if (file.isEmpty()) return;
    if (!hasSuffix(file, ".qfproj")) file += QStringLiteral(".qfproj");
    document_->saveProject(file);
}

bool MainWindow::saveAs() {
    if (!document_->hasModel() || !prompts_.askSavePaths) return false;
    auto [model, weights] = prompts_.askSavePaths();
    if (model.isEmpty()) return false;
    QStringList clashes;
    for (const auto& opened : document_->openedFiles())
        for (const auto& target : {model, weights})
            if (!target.isEmpty() &&
                QFileInfo(target).absoluteFilePath() == QFileInfo(opened).absoluteFilePath())
                clashes << target;
    const bool overwrite = !clashes.isEmpty();
    if (overwrite && !(prompts_.confirmOverwrite && prompts_.confirmOverwrite(clashes)))
        return false;
    document_->saveAs(model, weights, overwrite);
    return true;
}

void MainWindow::exportPicture(const QString& path) {
    const bool ok = hasSuffix(path, ".svg") ? view_->exportSvg(path) : view_->exportPng(path);
    if (ok) {
        log_->addMessage(LogPanel::Level::Info, tr("Exported the picture to %1").arg(path));
    } else {
        ErrorReport error;
        error.title = tr("Cannot export the picture");
        error.file = path;
        error.message = tr("%1: could not be written").arg(path);
        log_->addReport(LogPanel::Level::Error, error);
        if (prompts_.showError) prompts_.showError(error);
    }
}

void MainWindow::exportPictureDialog() {
    if (!document_->hasModel()) return;
    const QString start =
        QFileInfo(document_->modelPath()).completeBaseName() + QStringLiteral(".svg");
    QString file = QFileDialog::getSaveFileName(this, tr("Export picture"), start,
                                                tr("SVG picture (*.svg);;PNG image (*.png)"));
    if (file.isEmpty()) return;
    if (!hasSuffix(file, ".svg") && !hasSuffix(file, ".png")) file += QStringLiteral(".svg");
    exportPicture(file);
}

ExportDialog* MainWindow::exportDialog() {
    if (!export_) {
        export_ = new ExportDialog(*document_, *int8_->session(), this);
        export_->setShowError([this](const ErrorReport& error) {
            log_->addReport(LogPanel::Level::Error, error);
            if (prompts_.showError) prompts_.showError(error);
        });
        connect(export_, &ExportDialog::exportFinished, this,
                [this](bool, const QStringList& written) {
                    if (written.isEmpty()) return;
                    QStringList names;
                    for (const auto& file : written) names << QFileInfo(file).fileName();
                    log_->addMessage(LogPanel::Level::Info,
                                     tr("Exported into %1: %2")
                                         .arg(QFileInfo(written.first()).absolutePath(),
                                              names.join(QStringLiteral(", "))));
                });
    }
    return export_;
}

void MainWindow::showExportDialog() {
    if (!document_->hasModel()) return;
    ExportDialog* dialog = exportDialog();
    dialog->prepare();
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::verifyDialog() {
    if (!document_->hasModel()) return;
    VerifyDialog dialog(document_->settings(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    document_->settings() = dialog.settings();
    document_->verifyFolds();
}

void MainWindow::updateTitle() {
    const QString name =
        document_->hasModel() ? QFileInfo(document_->modelPath()).fileName() : QString();
    setWindowTitle(name.isEmpty() ? tr("QuantFold") : tr("%1[*] — QuantFold").arg(name));
    setWindowModified(document_->isModified());
}

void MainWindow::onPictureReady() {
    const auto picture = document_->picture();
    if (!picture) return;
    view_->showPicture(*picture, !firstPicture_);
    firstPicture_ = false;
    layers_->setPicture(picture);
    foldReport_->setPicture(picture);
    if (!findEdit_->text().isEmpty()) {
        view_->find(findEdit_->text());
        runFind();
    }
    if (!selected_.isEmpty()) {
        selecting_ = true;
        layers_->selectNode(selected_);
        selecting_ = false;
    }
    // The properties (the model's summary when nothing is selected) in the next turn of the
    // event loop: the scene and the docks above already took one, and the window must stay
    // responsive between them.
    QTimer::singleShot(0, this, [this] { showProperties(selected_); });
}

void MainWindow::onNodeSelected(const QString& name) {
    selected_ = name;
    beforeAfter_->followCurrentSelection(name);
    selecting_ = true;
    layers_->selectNode(name);
    selecting_ = false;
    showProperties(name);
    if (int8_) int8_->showNode(name);
}

void MainWindow::showProperties(const QString& name) {
    if (!document_->hasModel()) {
        properties_->clear();
        return;
    }
    const std::shared_ptr<const qf::Graph> graph = document_->state().graph;
    if (!document_->shapes().empty()) properties_->setShapes(graph, document_->shapes());
    const int index = graph->nodeIndex(name.toStdString());
    if (index < 0) {  // nothing or a graph input selected: the model's summary lists the inputs
        properties_->showSummary(graph);
        return;
    }
    const qf::Node& node = graph->nodes[static_cast<size_t>(index)];
    properties_->showNode(graph, node.id);
    QList<PropertiesPanel::Note> notes;
    if (const auto* candidate = document_->facts().candidate(node.name))
        notes << (candidate->foldable()
                      ? PropertiesPanel::Note{tr("Folds into %1 '%2'.")
                                                  .arg(QString::fromStdString(candidate->targetOp),
                                                       QString::fromStdString(candidate->target)),
                                              PropertiesPanel::Note::Tone::Good}
                      : PropertiesPanel::Note{
                            tr("Cannot fold: %1").arg(QString::fromStdString(candidate->reason)),
                            PropertiesPanel::Note::Tone::Warning});
    if (document_->facts().unsupported.count(node.name))
        notes << PropertiesPanel::Note{tr("This runtime cannot execute this layer."),
                                       PropertiesPanel::Note::Tone::Error};
    properties_->setNotes(notes);
}

void MainWindow::showNodeMenu(const QString& name, const QPoint& globalPos) {
    if (!document_->hasModel()) return;
    QMenu menu(this);
    const auto& facts = document_->facts();
    if (!name.isEmpty()) {
        if (const auto* candidate = facts.candidate(name.toStdString());
            candidate && candidate->foldable()) {
            menu.addAction(
                tr("Fold '%1' into '%2'").arg(name, QString::fromStdString(candidate->target)),
                this, [this, name] { document_->fold(name); });
        }
        QStringList into;
        for (const auto& candidate : facts.candidates)
            if (candidate.foldable() && QString::fromStdString(candidate.target) == name)
                into << QString::fromStdString(candidate.affine);
        if (!into.isEmpty())
            menu.addAction(tr("Fold %1 into '%2'").arg(into.join(QStringLiteral(", ")), name), this,
                           [this, into] {
                               document_->undoStack()->beginMacro(tr("Fold into one layer"));
                               for (const auto& affine : into) document_->fold(affine);
                               document_->undoStack()->endMacro();
                           });
        bool folded = false;
        for (const auto& record : document_->state().folded)
            folded = folded || QString::fromStdString(record.target) == name;
        if (folded)
            menu.addAction(tr("Unfold '%1'").arg(name), this,
                           [this, name] { document_->unfoldTarget(name); });
        if (!menu.isEmpty()) menu.addSeparator();
        menu.addAction(tr("Zoom to Layer"), view_, &GraphView::zoomToSelection);
        menu.addAction(tr("Copy Name"), this, [name] { QApplication::clipboard()->setText(name); });
        menu.addSeparator();
    }
    menu.addAction(tr("Fit to Window"), view_, &GraphView::fitToWindow);
    menu.exec(globalPos);
}

void MainWindow::setInputShape() {
    if (!document_->hasModel() || document_->state().graph->format != "tensorflow") return;
    // Start from what the graph has now: the IR holds an image NCHW, TensorFlow writes it NHWC
    // (an NCHW data_format graph shows its dimensions in the IR's order; the user edits them).
    qf::Shape shape = document_->state().graph->inputs.empty()
                          ? qf::Shape{}
                          : document_->state().graph->inputs.front().shape;
    if (!document_->inputShape().empty())
        shape = document_->inputShape();
    else if (shape.size() == 4)
        shape = {shape[0], shape[2], shape[3], shape[1]};
    QStringList current;
    for (const int64_t dim : shape) current << QString::number(dim > 0 ? dim : -1);
    const QString text =
        prompts_.askInputShape ? prompts_.askInputShape(current.join(QLatin1Char(','))) : QString();
    if (text.isNull()) return;
    const std::optional<qf::Shape> given = qf::parseInputShape(text.toStdString());
    if (!given) {
        ErrorReport error;
        error.title = tr("Not an input shape");
        error.message = tr("'%1' is not an input shape: give comma-separated dimensions, "
                           "each positive or -1 (unknown), e.g. 1,224,224,3")
                            .arg(text);
        if (prompts_.showError) prompts_.showError(error);
        return;
    }
    if (document_->isModified()) {
        const auto answer =
            prompts_.askSaveChanges ? prompts_.askSaveChanges() : QMessageBox::Cancel;
        if (answer == QMessageBox::Cancel) return;
        if (answer == QMessageBox::Save) {
            // The save runs in the background; reopening under it would race it.
            if (saveAs())
                log_->addMessage(LogPanel::Level::Info,
                                 tr("Saving; choose Model > Input Shape again to reopen"));
            return;
        }
    }
    log_->addMessage(LogPanel::Level::Info,
                     tr("Reopening %1 with the input shape %2")
                         .arg(QFileInfo(document_->modelPath()).fileName(), text));
    document_->open(document_->modelPath(), QString(), *given);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (document_->isModified() && !closeAfterSave_) {
        const auto answer =
            prompts_.askSaveChanges ? prompts_.askSaveChanges() : QMessageBox::Discard;
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            event->ignore();
            closeAfterSave_ = saveAs();
            return;
        }
    }
    if (closeAfterSave_ && document_->isModified()) {  // still saving
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    document_->cancelJobs();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList files;
    for (const auto& url : event->mimeData()->urls())
        if (url.isLocalFile()) files << url.toLocalFile();
    // A prototxt comes first whatever order the files were dropped in.
    std::stable_sort(files.begin(), files.end(), [](const QString& a, const QString& b) {
        return hasSuffix(a, ".prototxt") && !hasSuffix(b, ".prototxt");
    });
    if (!files.isEmpty()) {
        event->acceptProposedAction();
        openFiles(files);
    }
}

}  // namespace qf::ui
