package dev.kaio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends the reliability tests' figures to target/reliability-summary.txt (quoted in the README). */
public final class ReliabilityLog {

    private static boolean started;

    private ReliabilityLog() {}

    public static synchronized void record(String line) {
        System.out.println(line);
        Path file = Path.of(System.getProperty("kaio.test.workdir", "target/test-work")).resolveSibling(
                "reliability-summary.txt");
        try {
            if (!started) {
                started = true; // a new test run starts a new summary
                Files.deleteIfExists(file);
            }
            Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not record: " + e);
        }
    }
}
