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
package dev.kaio.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Drives a {@link LockHolderMain} in a child JVM: another process holding record locks on a file. */
public final class LockHolder implements AutoCloseable {

    private final Process process;
    private final PrintWriter out;
    private final BufferedReader in;

    private LockHolder(Process process) {
        this.process = process;
        this.out = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static LockHolder start(Path file) throws Exception {
        LockHolder h = new LockHolder(ChildJvm.start(List.of(), LockHolderMain.class.getName(), file.toString()));
        h.expect("ready");
        return h;
    }

    /** Locks a range, waiting for it. */
    public void lock(long position, long size, boolean shared) throws Exception {
        send("lock " + position + " " + size + " " + shared, "locked");
    }

    /** True if the range was free (and is now held by the child). */
    public boolean tryLock(long position, long size, boolean shared) throws Exception {
        out.println("trylock " + position + " " + size + " " + shared);
        String reply = reply();
        if (!reply.equals("locked") && !reply.equals("busy")) {
            throw new AssertionError("lock holder said: " + reply);
        }
        return reply.equals("locked");
    }

    /** Releases everything the child holds. */
    public void unlock() throws Exception {
        send("unlock", "unlocked");
    }

    private void send(String command, String expected) throws Exception {
        out.println(command);
        expect(expected);
    }

    private void expect(String expected) throws Exception {
        String reply = reply();
        if (!expected.equals(reply)) {
            throw new AssertionError("lock holder said '" + reply + "', expected '" + expected + "'");
        }
    }

    private String reply() throws Exception {
        // the hang guard only bounds a child that stopped answering
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.readLine();
            } catch (IOException e) {
                return "(read failed: " + e + ")";
            }
        }, command -> Thread.ofPlatform().daemon().start(command)).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        out.println("exit");
        out.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
