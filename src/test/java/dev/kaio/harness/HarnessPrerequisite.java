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
