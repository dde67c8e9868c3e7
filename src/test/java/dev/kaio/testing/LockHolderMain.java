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
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The other process of the lock tests: holds POSIX record locks through the JDK's {@link FileChannel}
 * on the file named by its argument, as told on stdin, one command a line, answering each on stdout:
 * {@code lock P S shared} (waits, then "locked"), {@code trylock P S shared} ("locked" or "busy"),
 * {@code unlock} (releases every lock it holds: "unlocked"), {@code exit}.
 */
public final class LockHolderMain {

    public static void main(String[] args) throws Exception {
        List<FileLock> held = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready");
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "lock" -> {
                        held.add(ch.lock(Long.parseLong(w[1]), Long.parseLong(w[2]), Boolean.parseBoolean(w[3])));
                        System.out.println("locked");
                    }
                    case "trylock" -> {
                        FileLock l = ch.tryLock(Long.parseLong(w[1]), Long.parseLong(w[2]), Boolean.parseBoolean(w[3]));
                        if (l != null) {
                            held.add(l);
                        }
                        System.out.println(l != null ? "locked" : "busy");
                    }
                    case "unlock" -> {
                        for (FileLock l : held) {
                            l.release();
                        }
                        held.clear();
                        System.out.println("unlocked");
                    }
                    case "exit" -> {
                        System.out.println("bye");
                        return;
                    }
                    default -> System.out.println("unknown command: " + line);
                }
            }
        }
    }
}
