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

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test method that <a href="https://github.com/cmu-pasta/fray">Fray</a> runs {@link #iterations()}
 * times, each time under another interleaving of its threads chosen by Fray's scheduler. A deadlock,
 * an exception or a failed assertion in any thread in any iteration fails the test; the message names
 * the iteration and Fray's report directory (with replay files).
 *
 * {@snippet :
 * class HandoffFrayTest {
 *     @FrayExplored(iterations = 1000)
 *     void handoffPublishesTheValue() throws Exception {
 *         Semaphore filled = new Semaphore(0);
 *         Thread consumer = new Thread(filled::acquireUninterruptibly);
 *         consumer.start();
 *         filled.release();
 *         consumer.join();
 *     }
 * }
 * }
 *
 * <p>The build runs these only in surefire's {@code fray-test} execution ({@code ./build verify}),
 * on Fray's instrumented JDK with its agent; every other execution excludes their tag
 * {@value FrayExplorer#TAG}. Elsewhere (an IDE) they are skipped with a message saying so.
 *
 * <p>The method runs outside JUnit's lifecycle: Fray calls it on a new instance of its class (the
 * no-argument constructor) in a new class loader per iteration, so no {@code @BeforeEach}, no
 * parameters, and static state starts afresh each time. Fray only switches threads at
 * synchronization points (locks, volatile and atomic accesses, park, wait, thread start/join); plain
 * field races are not explored. Avoid virtual threads (very slow under Fray, false deadlocks).
 *
 * <p>{@code -Dkaio.fray.iterations=N} runs every such test N iterations instead (e.g. a long soak).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@Tag(FrayExplorer.TAG)
@ExtendWith(FrayExploredExtension.class)
public @interface FrayExplored {

    /** How many interleavings to run, unless {@code -Dkaio.fray.iterations} says otherwise. */
    int iterations() default 1000;
}
