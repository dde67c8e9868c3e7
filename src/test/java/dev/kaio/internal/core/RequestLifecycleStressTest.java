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
package dev.kaio.internal.core;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle scenarios on real threads, many times each: load finds some interleavings, and a hang
 * fails the test (timeout) instead of the build. {@code RequestLifecycleFrayTest} explores them
 * systematically.
 */
class RequestLifecycleStressTest {

    private static final int ROUNDS = Integer.getInteger("kaio.stress.rounds", 200);
    private static final Duration LIMIT = Duration.ofSeconds(60);

    interface Scenario {
        void run() throws Exception;
    }

    private static void repeat(Scenario s) {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int i = 0; i < ROUNDS; i++) {
                s.run();
            }
        });
    }

    @Test
    void callbackSubmitWhileAnotherThreadIsRefused() {
        repeat(LifecycleScenarios::callbackSubmitWhileAnotherThreadIsRefused);
    }

    @Test
    void routedRequestNobodyWaitsOnCompletes() {
        repeat(LifecycleScenarios::routedRequestNobodyWaitsOnCompletes);
    }

    @Test
    void closeWhilePollsAreSubmitted() {
        repeat(LifecycleScenarios::closeWhilePollsAreSubmitted);
    }

    @Test
    void eventFdLoopLearnsOfClose() {
        repeat(LifecycleScenarios::eventFdLoopLearnsOfClose);
    }

    @Test
    void failureFailsFuturesOnlyAfterDestroy() {
        repeat(LifecycleScenarios::failureFailsFuturesOnlyAfterDestroy);
    }

    @Test
    void cancelNeverHitsTheSlotsNextRequest() {
        repeat(LifecycleScenarios::cancelNeverHitsTheSlotsNextRequest);
    }

    @Test
    void queuedRequestIsWithdrawnWithoutASlot() {
        repeat(LifecycleScenarios::queuedRequestIsWithdrawnWithoutASlot);
    }

    @Test
    void nowaitRetryIsSubmittedByTheSubmitterThread() {
        repeat(LifecycleScenarios::nowaitRetryIsSubmittedByTheSubmitterThread);
    }

    @Test
    void callbacksBlockingSubmissionGoesToTheSubmitterThread() {
        repeat(LifecycleScenarios::callbacksBlockingSubmissionGoesToTheSubmitterThread);
    }

    @Test
    void batchIsOneSubmitAndEndsExactlyOnceUnderClose() {
        repeat(LifecycleScenarios::batchIsOneSubmitAndEndsExactlyOnceUnderClose);
    }

    @Test
    void executorDeliversBeforeCloseReturns() {
        repeat(LifecycleScenarios::executorDeliversBeforeCloseReturns);
    }

    @Test
    void mixedLoadThenClose() {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int i = 0; i < ROUNDS / 10; i++) {
                LifecycleScenarios.mixedLoadThenClose(4, 50);
            }
        });
    }
}
