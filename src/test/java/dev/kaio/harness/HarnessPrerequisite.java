package dev.kaio.harness;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What the harness ITs need before they start (Docker, a base image, qemu, root): a missing one skips
 * the IT with its reason, unless the environment variable that .ci/run sets demands the harness, in
 * which case it is a failure.
 */
final class HarnessPrerequisite {

    private HarnessPrerequisite() {}

    /** Skips with {@code reason} unless {@code condition}; fails instead when {@code requireEnv}=1. */
    static void require(String requireEnv, boolean condition, String reason) {
        if (!condition) {
            if ("1".equals(System.getenv(requireEnv))) {
                fail(requireEnv + "=1 but " + reason);
            }
            Assumptions.abort(reason);
        }
    }
}
