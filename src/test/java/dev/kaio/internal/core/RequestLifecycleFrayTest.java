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

import dev.kaio.testing.FrayExplored;

/**
 * The lifecycle scenarios ({@link LifecycleScenarios}) under Fray: each iteration runs the engine, its
 * reaper and submitter threads, the fake kernel's device and the scenario's own threads under another
 * schedule. A lost wake-up shows as a deadlock, a broken invariant as a failed check. Each scenario hung
 * or went wrong in the first AioContext (see the scenario's comment); {@code RequestLifecycleStressTest}
 * runs the same code on real threads.
 */
class RequestLifecycleFrayTest {

    @FrayExplored(iterations = 300)
    void callbackSubmitWhileAnotherThreadIsRefused() throws Exception {
        LifecycleScenarios.callbackSubmitWhileAnotherThreadIsRefused();
    }

    @FrayExplored(iterations = 300)
    void closeWhilePollsAreSubmitted() throws Exception {
        LifecycleScenarios.closeWhilePollsAreSubmitted();
    }

    @FrayExplored(iterations = 300)
    void eventFdLoopLearnsOfClose() throws Exception {
        LifecycleScenarios.eventFdLoopLearnsOfClose();
    }

    @FrayExplored(iterations = 300)
    void failureFailsFuturesOnlyAfterDestroy() throws Exception {
        LifecycleScenarios.failureFailsFuturesOnlyAfterDestroy();
    }

    @FrayExplored(iterations = 300)
    void cancelNeverHitsTheSlotsNextRequest() throws Exception {
        LifecycleScenarios.cancelNeverHitsTheSlotsNextRequest();
    }

    @FrayExplored(iterations = 300)
    void queuedRequestIsWithdrawnWithoutASlot() throws Exception {
        LifecycleScenarios.queuedRequestIsWithdrawnWithoutASlot();
    }

    @FrayExplored(iterations = 300)
    void nowaitRetryIsSubmittedByTheSubmitterThread() throws Exception {
        LifecycleScenarios.nowaitRetryIsSubmittedByTheSubmitterThread();
    }

    @FrayExplored(iterations = 300)
    void callbacksBlockingSubmissionGoesToTheSubmitterThread() throws Exception {
        LifecycleScenarios.callbacksBlockingSubmissionGoesToTheSubmitterThread();
    }

    @FrayExplored(iterations = 300)
    void batchIsOneSubmitAndEndsExactlyOnceUnderClose() throws Exception {
        LifecycleScenarios.batchIsOneSubmitAndEndsExactlyOnceUnderClose();
    }

    @FrayExplored(iterations = 300)
    void executorDeliversBeforeCloseReturns() throws Exception {
        LifecycleScenarios.executorDeliversBeforeCloseReturns();
    }

    @FrayExplored(iterations = 300)
    void routedRequestNobodyWaitsOnCompletes() throws Exception {
        LifecycleScenarios.routedRequestNobodyWaitsOnCompletes();
    }

    @FrayExplored(iterations = 100)
    void mixedLoadThenClose() throws Exception {
        LifecycleScenarios.mixedLoadThenClose(2, 3);
    }
}
