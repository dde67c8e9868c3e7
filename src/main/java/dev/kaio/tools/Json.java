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
package dev.kaio.tools;

import java.util.Locale;
import java.util.Map;

/** A minimal JSON writer for the tools' reports (objects, strings, numbers, booleans). */
final class Json {

    private final StringBuilder out = new StringBuilder();
    private final boolean[] first = new boolean[64];
    private int depth;
    private boolean afterKey;

    Json begin() {
        return open('{');
    }

    Json end() {
        return close('}');
    }

    Json object(String key) {
        key(key);
        return open('{');
    }

    Json array(String key) {
        key(key);
        return open('[');
    }

    Json endArray() {
        return close(']');
    }

    Json objectInArray() {
        separator();
        return open('{');
    }

    Json field(String key, String value) {
        key(key);
        string(value);
        return this;
    }

    Json field(String key, long value) {
        key(key);
        out.append(value);
        return this;
    }

    Json field(String key, double value) {
        key(key);
        out.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.6f", value) : "null");
        return this;
    }

    Json field(String key, boolean value) {
        key(key);
        out.append(value);
        return this;
    }

    Json fields(Map<String, ?> map) {
        for (Map.Entry<String, ?> e : map.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Long l) {
                field(e.getKey(), (long) l);
            } else if (v instanceof Integer i) {
                field(e.getKey(), (long) i);
            } else if (v instanceof Boolean b) {
                field(e.getKey(), (boolean) b);
            } else if (v instanceof Double d) {
                field(e.getKey(), (double) d);
            } else {
                field(e.getKey(), v == null ? null : v.toString());
            }
        }
        return this;
    }

    private Json open(char c) {
        afterKey = false;
        out.append(c);
        first[++depth] = true;
        return this;
    }

    private Json close(char c) {
        depth--;
        indent();
        out.append(c);
        return this;
    }

    private void key(String key) {
        separator();
        string(key);
        out.append(": ");
        afterKey = true;
    }

    private void separator() {
        if (!first[depth]) {
            out.append(',');
        }
        first[depth] = false;
        indent();
    }

    private void indent() {
        out.append('\n');
        out.append("  ".repeat(Math.max(0, depth)));
    }

    private void string(String s) {
        afterKey = false;
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString().stripLeading() + "\n";
    }
}
