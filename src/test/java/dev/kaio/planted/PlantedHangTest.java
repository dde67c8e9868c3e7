package dev.kaio.planted;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A deliberately hanging test, excluded from every build (tag "planted"): GuardsTest runs it in a
 * child JVM to show that the JUnit timeout ends it with a thread dump. join() ignores interrupts, so
 * only a timeout that runs the test in a separate thread can end it.
 */
@Tag("planted")
class PlantedHangTest {

    @Test
    void waitsForAFutureNobodyCompletes() {
        new CompletableFuture<Void>().join();
    }
}
