package dev.kaio.planted;

import dev.kaio.AioContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Jupiter test class that leaks a kaio context, excluded from every build (tag "planted"):
 * GuardsTest runs it in a child JVM to show that the leak check runs around Jupiter classes too and
 * sees the context's ring in /proc/self/maps.
 */
@Tag("planted")
class PlantedLeakTest {

    @Test
    void leavesAContextOpen() throws Exception {
        AioContext.open(4);
    }
}
