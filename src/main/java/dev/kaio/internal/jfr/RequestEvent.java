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
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One kaio request, from submission to completion, recorded when it took at least the threshold. Off
 * unless a recording enables it ({@code dev.kaio.Request#enabled=true}): while enabled, every request
 * allocates its event object, even one that ends below the threshold.
 */
@Name("dev.kaio.Request")
@Label("kaio Request")
@Category({"kaio", "Linux AIO"})
@Description("A read, write, sync or poll submitted to Linux AIO by kaio, from io_submit to its completion")
@Enabled(false)
@Threshold("20 ms")
@StackTrace(false)
final class RequestEvent extends Event {

    @Label("Operation")
    @Description("read, write, readv, writev, fsync, fdatasync or poll")
    String operation;

    @Label("Path")
    String path;

    @Label("Position")
    @Description("The file offset (the events mask for a poll)")
    long position;

    @Label("Bytes Requested")
    @DataAmount
    long bytes;

    @Label("Result")
    @Description("The kernel's result: bytes transferred, 0, or a negative errno (-1 when it never reached the kernel)")
    long result;
}
