// qf::Diagnostic's one-line form and qf::Error carrying one, with what() unchanged for the
// message-only constructor every existing throw uses.
#include <QtTest>

#include "util/diagnostic.h"
#include "util/error.h"

class TestDiagnostics : public QObject {
    Q_OBJECT

private slots:
    void textLeavesOutTheEmptyParts() {
        qf::Diagnostic d{qf::Severity::Warning, "net.prototxt", 12, 3, "conv1", "", "too big"};
        QCOMPARE(d.text(), std::string("net.prototxt:12:3: node 'conv1': too big"));
        d.column = 0;
        QCOMPARE(d.text(), std::string("net.prototxt:12: node 'conv1': too big"));
        d.line = 0;
        d.column = 7;  // a column without a line says nothing
        QCOMPARE(d.text(), std::string("net.prototxt: node 'conv1': too big"));
        d.file.clear();
        QCOMPARE(d.text(), std::string("node 'conv1': too big"));
        d.node.clear();
        d.tensor = "c1";
        QCOMPARE(d.text(), std::string("tensor 'c1': too big"));
        d.node = "conv1";
        d.file = "t.json";
        d.line = 4;
        QCOMPARE(d.text(), std::string("t.json:4:7: node 'conv1': tensor 'c1': too big"));
        QCOMPARE(qf::Diagnostic{}.text(), std::string());
        // A line without a file: still no position, since nothing says where.
        QCOMPARE((qf::Diagnostic{qf::Severity::Error, "", 3, 1, "", "", "m"}.text()),
                 std::string("m"));
    }

    void severityNames() {
        QCOMPARE(std::string(qf::severityName(qf::Severity::Error)), std::string("error"));
        QCOMPARE(std::string(qf::severityName(qf::Severity::Warning)), std::string("warning"));
        QCOMPARE(std::string(qf::severityName(qf::Severity::Info)), std::string("info"));
    }

    void textPositionCountsFromOne() {
        const std::string text = "ab\ncd\n\nx";
        QCOMPARE(qf::textPosition(text, 0).line, 1);
        QCOMPARE(qf::textPosition(text, 0).column, 1);
        QCOMPARE(qf::textPosition(text, 1).column, 2);
        QCOMPARE(qf::textPosition(text, 3).line, 2);
        QCOMPARE(qf::textPosition(text, 3).column, 1);
        QCOMPARE(qf::textPosition(text, 7).line, 4);
        QCOMPARE(qf::textPosition(text, 100).line, 4);  // past the end: the end
        QCOMPARE(qf::textPosition(text, 100).column, 2);
    }

    void errorFromAMessageKeepsIt() {
        const qf::Error error("model.onnx: no such file");
        QCOMPARE(std::string(error.what()), std::string("model.onnx: no such file"));
        QCOMPARE(error.diagnostic().message, std::string("model.onnx: no such file"));
        QCOMPARE(error.diagnostic().severity, qf::Severity::Error);
        QVERIFY(error.diagnostic().file.empty());
        const std::runtime_error& base = error;  // still caught as std::runtime_error
        QCOMPARE(std::string(base.what()), std::string("model.onnx: no such file"));
    }

    void errorFromADiagnosticPrintsItsText() {
        const qf::Diagnostic d{qf::Severity::Error, "t.json", 2, 5, "", "c1", "threshold is NaN"};
        const qf::Error error(d);
        QCOMPARE(std::string(error.what()),
                 std::string("t.json:2:5: tensor 'c1': threshold is NaN"));
        QCOMPARE(error.diagnostic().line, 2);
        QCOMPARE(error.diagnostic().tensor, std::string("c1"));
        const qf::Error worded(d, "t.json line 2: c1's threshold is NaN");
        QCOMPARE(std::string(worded.what()), std::string("t.json line 2: c1's threshold is NaN"));
        QCOMPARE(worded.diagnostic().column, 5);
    }

    void rethrowInFileAddsTheFileOnce() {
        const auto rethrown = [](const qf::Error& inner) {
            try {
                qf::rethrowInFile(inner, "m.onnx");
            } catch (const qf::Error& error) {
                return error;
            }
            return qf::Error("not rethrown");
        };
        const qf::Error inner(qf::Diagnostic{qf::Severity::Error, "", 0, 0, "n1", "", "Conv: bad"},
                              "node 'n1' (Conv): bad");
        const qf::Error outer = rethrown(inner);
        QCOMPARE(std::string(outer.what()), std::string("m.onnx: node 'n1' (Conv): bad"));
        QCOMPARE(outer.diagnostic().file, std::string("m.onnx"));
        QCOMPARE(outer.diagnostic().node, std::string("n1"));
        // An error that names its file already passes unchanged.
        const qf::Error located = rethrown(outer);
        QCOMPARE(std::string(located.what()), std::string(outer.what()));
    }
};

QTEST_GUILESS_MAIN(TestDiagnostics)
#include "test_diagnostics.moc"
