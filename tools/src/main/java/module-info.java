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
/**
 * The {@code kaio} command-line tool: {@code kaio bench}, {@code kaio doctor} and {@code kaio soak}, on
 * top of the library (module {@code dev.kaio}), using only its exported API. Entry point:
 * {@link dev.kaio.tools.Main}. Run with {@code --enable-native-access=dev.kaio}.
 */
module dev.kaio.tools {
    requires dev.kaio;
    requires info.picocli;
    requires com.google.gson;
    requires HdrHistogram;

    exports dev.kaio.tools;
    // picocli reads and sets the annotated option fields of the commands
    opens dev.kaio.tools to info.picocli;
}
