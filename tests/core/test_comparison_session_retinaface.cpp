// The incremental comparison session on RetinaFace (288x416, the 9 face photos, bias
// corrections re-measured on 4 of them) against a fresh compareInt8 after each of several
// successive edits: every number of the report identical, bit for bit. Its own executable,
// so that the slow real-model runs each get a test timeout of their own.
#include <QtTest>

#include "session_test_support.h"

using namespace sessiontest;

class TestComparisonSessionRetinaFace : public QObject {
    Q_OBJECT

private slots:
    void retinafaceSuccessiveEdits() {
        QF_SHARED(model, "faces/retinaface_mnet25/mnet25.caffemodel");
        successiveEdits(retinaface(), true);
    }
};

QTEST_GUILESS_MAIN(TestComparisonSessionRetinaFace)
#include "test_comparison_session_retinaface.moc"
