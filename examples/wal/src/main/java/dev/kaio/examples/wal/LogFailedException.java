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
package dev.kaio.examples.wal;

import java.io.IOException;

/**
 * A write or a sync of the log failed: records appended after the last durable one may be lost,
 * and the log takes no more appends (retrying a failed sync cannot make them durable: see kaio's
 * Durability).
 */
public class LogFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened
     */
    public LogFailedException(String message) {
        super(message);
    }

    /**
     * @param message what happened
     * @param cause   the failure underneath
     */
    public LogFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
