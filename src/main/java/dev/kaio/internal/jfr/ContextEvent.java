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
package dev.kaio.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** Periodically, for every open AioContext: how full it is and how its completions were collected. */
@Name("dev.kaio.Context")
@Label("kaio Context")
@Category({"kaio", "Linux AIO"})
@Description("An open AioContext: requests in flight, and completions read from the ring vs io_getevents")
@Period("1 s")
@StackTrace(false)
final class ContextEvent extends Event {

    @Label("Context Id")
    @Description("The kernel's aio_context_t")
    long contextId;

    @Label("Queue Depth")
    int queueDepth;

    @Label("In Flight")
    int inFlight;

    @Label("Ring Completions")
    @Description("Completions read from the completion ring in user space so far")
    long ringCompletions;

    @Label("Syscall Completions")
    @Description("Completions returned by io_getevents so far")
    long syscallCompletions;

    @Label("Reaper Thread")
    boolean reaperThread;
}
