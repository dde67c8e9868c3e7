package dev.kaio.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one measured cell of the support matrix: filesystem, mode, operation, outcome. */
final class MatrixRecorder {

    private MatrixRecorder() {}

    static synchronized void record(String fs, String mode, String op, String outcome, String note) {
        String file = System.getProperty("kaio.matrix.report");
        if (file == null) {
            return;
        }
        try {
            Path p = Path.of(file);
            Files.createDirectories(p.getParent());
            Files.writeString(p, String.join("\t", fs, mode, op, outcome, note) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot record the matrix in " + file, e);
        }
    }
}
