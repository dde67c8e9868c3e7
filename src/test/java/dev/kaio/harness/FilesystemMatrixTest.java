package dev.kaio.harness;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kaio.AioContext;
import dev.kaio.AioException;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs inside the Docker harness's container (DockerHarnessIT), once per mounted filesystem
 * ({@code -Dkaio.matrix.mounts=ext4=/mnt/ext4}): every matrix operation, buffered and O_DIRECT, each
 * verified byte for byte. An operation the kernel refuses is recorded with its errno (that is the
 * matrix: measured, not claimed); wrong data or an untyped error fails the test.
 */
@Tag("in-container")
class FilesystemMatrixTest {

    static Stream<Arguments> cases() {
        String mounts = System.getProperty("kaio.matrix.mounts");
        assertNotNull(mounts, "run by DockerHarnessIT with -Dkaio.matrix.mounts=fs=/mount/point");
        List<Arguments> out = new ArrayList<>();
        for (String m : mounts.split(";")) {
            String[] kv = m.split("=");
            for (String mode : List.of("buffered", "O_DIRECT")) {
                for (String op : MatrixCase.OPS) {
                    out.add(Arguments.of(kv[0], mode, op, Path.of(kv[1])));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void operation(String fs, String mode, String op, Path mount) throws Exception {
        Path dir = Files.createDirectories(mount.resolve("matrix"));
        Path path = dir.resolve(mode.replace('/', '_') + "-" + op.replace(' ', '_'));
        boolean direct = mode.equals("O_DIRECT");
        try (AioContext ctx = AioContext.open(8); Arena arena = Arena.ofShared()) {
            AioFile f;
            try {
                f = direct ? AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT)
                        : AioFile.open(ctx, path, READ, WRITE, CREATE);
            } catch (AioException e) {
                MatrixRecorder.record(fs, mode, op, "open: " + e.errnoName(), "");
                return;
            }
            try (f) {
                String outcome = MatrixCase.run(f, path, op, arena);
                MatrixRecorder.record(fs, mode, op, outcome, direct ? "alignment " + f.alignment() + " from "
                        + f.alignmentInfo().source() : "");
            }
        }
    }
}
