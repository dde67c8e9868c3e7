package dev.kaio.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** One kaio request, from submission to completion, recorded when it took at least the threshold. */
@Name("dev.kaio.Request")
@Label("kaio Request")
@Category({"kaio", "Linux AIO"})
@Description("A read, write, sync or poll submitted to Linux AIO by kaio, from io_submit to its completion")
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
