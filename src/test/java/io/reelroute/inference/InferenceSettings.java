package io.reelroute.inference;

import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.reelroute.config.ReelRouteProperties;

/** ReelRoute's settings with their defaults and the given overrides, bound as Spring binds them. */
final class InferenceSettings {

    private InferenceSettings() {
    }

    static ReelRouteProperties with(Map<String, String> overrides) {
        return new Binder(new MapConfigurationPropertySource(overrides))
                .bindOrCreate("reelroute", ReelRouteProperties.class);
    }
}
