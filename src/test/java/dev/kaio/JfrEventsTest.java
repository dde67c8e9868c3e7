/*
 * Copyright 2026 the kaio authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.kaio;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/** kaio's JFR events, in a recording made by the test: one per request, and the periodic context event. */
class JfrEventsTest {

    @Test
    void requestsAndContextsShowUpInARecording() throws Exception {
        Path dir = TestFiles.newDirectory("jfr");
        Path path = dir.resolve("data");
        Files.write(path, TestFiles.randomBytes(4, 8 * 4096));
        Path dump = dir.resolve("kaio.jfr");
        long ctxId;
        long syscallCtxId;
        int[] pipe = dev.kaio.testing.Fds.pipe();
        try (Recording recording = new Recording()) {
            recording.enable("dev.kaio.Request").withThreshold(Duration.ZERO);
            recording.enable("dev.kaio.Context").withPeriod(Duration.ofMillis(50));
            recording.start();
            try (AioContext ctx = AioContext.open(8); AioFile file = AioFile.open(ctx, path, READ, WRITE);
                    Arena arena = Arena.ofShared()) {
                ctxId = ctx.contextId();
                MemorySegment buf = arena.allocate(4096);
                assertEquals(4096, file.read(buf, 8192).get(20, TimeUnit.SECONDS));
                assertEquals(4096, file.write(buf, 4096).get(20, TimeUnit.SECONDS));
                file.fdatasync().get(20, TimeUnit.SECONDS);
                CompletableFuture<Integer> poll = ctx.poll(pipe[0], PollEvents.POLLIN); // in flight meanwhile
                // an eventfd-mode context that reaps with io_getevents only
                try (AioContext sys = AioContext.open(4, AioContext.Options.defaults().eventFd().forceSyscalls(true));
                        AioFile f2 = AioFile.open(sys, path, READ)) {
                    syscallCtxId = sys.contextId();
                    CompletableFuture<Integer> r = f2.read(buf.asSlice(0, 512), 0); // told apart by its size
                    while (!r.isDone()) {
                        sys.awaitCompletions(1, TimeUnit.SECONDS);
                    }
                    assertEquals(512, r.get());
                    Thread.sleep(1000); // periodic events: the first comes some hundreds of ms after the recording starts
                }
                poll.cancel(true);
            }
            recording.stop();
            recording.dump(dump);
        } finally {
            dev.kaio.testing.Fds.close(pipe[0]);
            dev.kaio.testing.Fds.close(pipe[1]);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(dump);
        List<RecordedEvent> requests = events.stream().filter(e -> e.getEventType().getName().equals("dev.kaio.Request"))
                .toList();
        RecordedEvent read = requests.stream().filter(e -> e.getString("operation").equals("read") && e.getLong("bytes") != 512).findFirst()
                .orElseThrow(() -> new AssertionError("no read event among " + requests));
        assertEquals(path.toString(), read.getString("path"));
        assertEquals(8192, read.getLong("position"));
        assertEquals(4096, read.getLong("bytes"));
        assertEquals(4096, read.getLong("result"));
        assertFalse(read.getDuration().isNegative());
        assertTrue(requests.stream().anyMatch(e -> e.getString("operation").equals("write")), "a write event");
        assertTrue(requests.stream().anyMatch(e -> e.getString("operation").equals("fdatasync")), "an fdatasync event");
        List<RecordedEvent> contexts = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.kaio.Context") && e.getLong("contextId") == ctxId)
                .toList();
        assertFalse(contexts.isEmpty(), "no periodic context event for the open context 0x" + Long.toHexString(ctxId)
                + " among " + events.stream().filter(e -> e.getEventType().getName().equals("dev.kaio.Context")).toList());
        RecordedEvent c = contexts.get(contexts.size() - 1);
        assertEquals(8, c.getInt("queueDepth"));
        assertTrue(c.getLong("ringCompletions") >= 3, "the three requests were reaped from the ring: " + c);
        assertEquals(0, c.getLong("syscallCompletions"), "nothing needed io_getevents");
        assertEquals(1, contexts.stream().mapToInt(e -> e.getInt("inFlight")).max().orElse(-1),
                "the poll, in flight while both contexts were open");
        assertTrue(c.getBoolean("reaperThread"));
        RecordedEvent s = events.stream().filter(e -> e.getEventType().getName().equals("dev.kaio.Context")
                && e.getLong("contextId") == syscallCtxId).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("no periodic context event for the eventfd-mode context"));
        assertEquals(4, s.getInt("queueDepth"));
        assertEquals(0, s.getLong("ringCompletions"));
        assertEquals(1, s.getLong("syscallCompletions"), "the read, reaped with io_getevents");
        assertEquals(0, s.getInt("inFlight"));
        assertFalse(s.getBoolean("reaperThread"));
    }
}
