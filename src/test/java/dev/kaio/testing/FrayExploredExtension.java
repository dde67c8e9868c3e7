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
package dev.kaio.testing;

import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs a {@link FrayExplored} method as one JUnit test: Fray calls the method itself, once per
 * iteration, in its own class loader, so JUnit's own call is skipped.
 */
final class FrayExploredExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getTestMethod(), FrayExplored.class);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        int iterations = FrayExplorer.iterations(
                AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), FrayExplored.class).orElseThrow()
                        .iterations());
        return Stream.of(new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return "Fray, " + iterations + " iterations";
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return List.of(new ExploreInsteadOfInvoking(iterations));
            }
        });
    }

    private record ExploreInsteadOfInvoking(int iterations) implements InvocationInterceptor {
        @Override
        public void interceptTestTemplateMethod(Invocation<Void> invocation,
                ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) {
            invocation.skip();
            FrayExplorer.Exploration result = FrayExplorer.explore(context.getRequiredTestClass(),
                    invocationContext.getExecutable().getName(), iterations);
            System.out.println(result.summary());
            context.publishReportEntry("fray", result.summary());
            result.check();
        }
    }
}
