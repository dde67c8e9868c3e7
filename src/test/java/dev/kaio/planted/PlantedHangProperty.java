package dev.kaio.planted;

import net.jqwik.api.Property;
import net.jqwik.api.Tag;

/**
 * A deliberately hanging jqwik property, excluded from every build (tag "planted"): jqwik has no
 * per-test timeout, so GuardsTest runs it in a child JVM to show that the fork watchdog dumps the
 * threads and ends the JVM.
 */
@Tag("planted")
class PlantedHangProperty {

    @Property(tries = 1)
    void sleepsForever() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
