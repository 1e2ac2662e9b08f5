package io.dispatchd.testing;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fails a jqwik property after whose tries Netty reports a leak ({@link LeakReports}). Registered
 * for every property by {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class LeakCheckHook implements AroundPropertyHook {

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        PropertyExecutionResult result = property.execute();
        try {
            LeakReports.assertNoLeaks(context.extendedLabel());
        } catch (AssertionError leak) {
            return result.mapToFailed(leak);
        }
        return result;
    }
}
