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
package dev.kaio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;

/**
 * The README's "What is tested" table names, for each claim, the tests that would fail if it stopped
 * being true: every name must be a test method that exists (in the class or one it extends), carries a
 * test annotation (JUnit's or jqwik's, both marked {@link Testable}), and is not one of the
 * deliberately broken "planted" classes. A renamed or deleted test makes the README wrong, and this
 * test fail.
 */
class ReadmeClaimsTest {

    static final Pattern ROW = Pattern.compile("^\\| (.+?) \\| (.+) \\|$");
    static final Pattern REFERENCE = Pattern.compile("`([A-Z][A-Za-z0-9_]*)#([a-z][A-Za-z0-9_]*)`");

    @Test
    void everyTestTheReadmeNamesExistsAndIsATest() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String begin = "<!-- claims:begin -->";
        String end = "<!-- claims:end -->";
        assertTrue(readme.contains(begin) && readme.contains(end), "README.md has no claims table");
        String table = readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf(end)).trim();
        List<String> problems = new ArrayList<>();
        int claims = 0;
        int references = 0;
        for (String line : table.lines().toList()) {
            if (line.equals("| claim | tests |") || line.equals("|---|---|")) {
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!row.matches()) {
                problems.add("not a row of the table: " + line);
                continue;
            }
            claims++;
            Matcher ref = REFERENCE.matcher(row.group(2));
            int here = 0;
            while (ref.find()) {
                here++;
                references++;
                String problem = check(ref.group(1), ref.group(2));
                if (problem != null) {
                    problems.add(problem + " (claim: " + row.group(1) + ")");
                }
            }
            if (here == 0) {
                problems.add("a claim with no test: " + row.group(1));
            }
        }
        if (!problems.isEmpty()) {
            fail("README.md's claims table:\n" + String.join("\n", problems));
        }
        assertTrue(claims >= 30, "only " + claims + " claims");
        System.out.printf("README claims: %d claims, %d test references, all resolved%n", claims, references);
    }

    /** The tool's tests: another module, whose classes this test cannot load (see checkSource). */
    static final Path TOOL_TESTS = Path.of("tools/src/test/java");

    /**
     * Null if {@code className#method} is a test method of a test class in src/test/java (or, for the
     * tool, tools/src/test/java), else what is wrong.
     */
    static String check(String className, String method) throws Exception {
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src/test/java"))) {
            sources = s.filter(p -> p.getFileName().toString().equals(className + ".java")).toList();
        }
        if (sources.isEmpty() && Files.isDirectory(TOOL_TESTS)) {
            try (Stream<Path> s = Files.walk(TOOL_TESTS)) {
                List<Path> tool = s.filter(p -> p.getFileName().toString().equals(className + ".java")).toList();
                if (tool.size() == 1) {
                    return checkSource(className, method, Files.readString(tool.get(0)));
                }
            }
        }
        if (sources.size() != 1) {
            return className + ": " + sources.size() + " source files named " + className + ".java in src/test/java";
        }
        String fqn = Path.of("src/test/java").relativize(sources.get(0)).toString().replace('/', '.').replaceAll("\\.java$", "");
        Class<?> c = Class.forName(fqn);
        Tag tag = c.getAnnotation(Tag.class);
        if ((tag != null && tag.value().equals("planted")) || c.getPackageName().endsWith(".planted")) {
            return className + " is a planted (deliberately broken) class";
        }
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(method)) {
                    return isTest(m) ? null : className + "#" + method + " is not a test method";
                }
            }
        }
        return className + "#" + method + " does not exist";
    }

    /**
     * The check for a class of the tool's module, from its source: the method is declared there, right
     * after one of JUnit's test annotations (the tool's tests use no others).
     */
    static String checkSource(String className, String method, String source) {
        Matcher m = Pattern.compile("(?m)^[ \\t]*(?:[\\w<>\\[\\],.?]+[ \\t]+)+" + Pattern.quote(method) + "\\s*\\(")
                .matcher(source);
        if (!m.find()) {
            return className + "#" + method + " does not exist";
        }
        // the annotations: what lies between the end of the member before (a closing brace at the
        // members' indentation, or a field's semicolon) and this declaration
        String before = source.substring(0, m.start());
        String annotations = before.substring(Math.max(before.lastIndexOf("\n    }"), before.lastIndexOf(";\n")) + 1);
        return annotations.matches("(?s).*@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b.*") ? null
                : className + "#" + method + " is not a test method";
    }

    /** Carries an annotation that is, or is meta-annotated (at any depth) with, {@link Testable}. */
    static boolean isTest(Method m) {
        for (Annotation a : m.getAnnotations()) {
            if (testable(a.annotationType(), new java.util.HashSet<>())) {
                return true;
            }
        }
        return false;
    }

    private static boolean testable(Class<? extends Annotation> type, java.util.Set<Class<?>> seen) {
        if (type == Testable.class) {
            return true;
        }
        if (!seen.add(type)) {
            return false;
        }
        for (Annotation meta : type.getAnnotations()) {
            if (testable(meta.annotationType(), seen)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theCheckCatchesAMissingOrUntestedName() throws Exception {
        assertEquals("KernelFeaturesTest#noSuchTest does not exist", check("KernelFeaturesTest", "noSuchTest"));
        assertEquals("ReadmeClaimsTest#check is not a test method", check("ReadmeClaimsTest", "check"));
        assertFalse(check("PlantedHangTest", "waitsForAFutureNobodyCompletes") == null);
        assertEquals(null, check("JdkAsyncFileChannelTest", "locksOverlapRulesAndRelease"), "inherited tests count");
        assertEquals(null, check("BenchOptionsTest", "everyOptionParses"), "the tool's tests count");
        assertEquals("BenchOptionsTest#runOk is not a test method", check("BenchOptionsTest", "runOk"));
        assertEquals("BenchOptionsTest#noSuchTest does not exist", check("BenchOptionsTest", "noSuchTest"));
    }
}
