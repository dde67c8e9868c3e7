package dev.kaio.planted;

import dev.kaio.testing.Fds;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;

/**
 * A jqwik property class that leaks a pipe kaio knows nothing about, excluded from every build (tag
 * "planted"): GuardsTest runs it in a child JVM to show that the leak check wraps jqwik containers
 * and reads /proc/self/fd.
 */
@Tag("planted")
class PlantedLeakProperty {

    @Property(tries = 1)
    void leavesAPipeOpen() throws Exception {
        Fds.pipe();
    }
}
