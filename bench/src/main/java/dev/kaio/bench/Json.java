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
package dev.kaio.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

/**
 * Reads fio's, JMH's and kaio bench's result files with gson (the JSON library kaio-tools writes them
 * with), and walks the tree by object keys and array indexes.
 */
final class Json {

    private Json() {}

    /** Parses leniently: JMH writes NaN for a metric it could not compute. */
    static JsonElement parse(String text) {
        return JsonParser.parseString(text);
    }

    /** The element at {@code keys} (object keys, or decimal indexes into arrays), or null. */
    static JsonElement path(JsonElement o, String... keys) {
        JsonElement cur = o;
        for (String k : keys) {
            if (cur == null || cur.isJsonNull()) {
                return null;
            }
            if (cur.isJsonArray() && k.matches("\\d+")) {
                int i = Integer.parseInt(k);
                cur = i < cur.getAsJsonArray().size() ? cur.getAsJsonArray().get(i) : null;
            } else if (cur.isJsonObject()) {
                cur = cur.getAsJsonObject().get(k);
            } else {
                return null;
            }
        }
        return cur == null || cur.isJsonNull() ? null : cur;
    }

    /** The number at {@code keys}, or NaN. */
    static double num(JsonElement o, String... keys) {
        JsonElement v = path(o, keys);
        if (v == null || !v.isJsonPrimitive()) {
            return Double.NaN;
        }
        try {
            return v.getAsDouble();
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The text at {@code keys} (a string, or a number's text), or null. */
    static String str(JsonElement o, String... keys) {
        JsonElement v = path(o, keys);
        return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
    }
}
