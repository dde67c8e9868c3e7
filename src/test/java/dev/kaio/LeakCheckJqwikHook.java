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

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * {@link LeakCheckExtension}'s check around every jqwik property class. jqwik is its own JUnit
 * Platform engine and never calls Jupiter extensions, so the check is registered a second time, as
 * a global jqwik lifecycle hook (META-INF/services/net.jqwik.api.lifecycle.LifecycleHook) that
 * propagates to every container and acts on the class containers.
 */
public final class LeakCheckJqwikHook implements BeforeContainerHook, AfterContainerHook {

    private final Map<Class<?>, LeakCheckExtension.Snapshot> before = new ConcurrentHashMap<>();

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return element.isPresent() && element.get() instanceof Class<?>;
    }

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        context.optionalContainerClass().ifPresent(c -> before.put(c, LeakCheckExtension.Snapshot.now()));
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) throws Throwable {
        Optional<Class<?>> c = context.optionalContainerClass();
        if (c.isPresent()) {
            LeakCheckExtension.Snapshot b = before.remove(c.get());
            if (b != null) {
                LeakCheckExtension.check(context.label(), b, java.util.List.of(), null);
            }
        }
    }
}
