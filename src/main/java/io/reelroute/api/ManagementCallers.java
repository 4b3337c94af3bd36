package io.reelroute.api;

import java.io.IOException;
import java.security.Principal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who calls the management port's health endpoint, for {@code show-details=when-authorized}: Spring shows the
 * components and their details to a request with a principal, and this filter gives one to a caller the API would
 * accept (ApiAuth: a valid bearer token; with authentication off, everyone is the local user). Others, the
 * Kubernetes probes among them, get the status only. The API's port has no such filter, so /livez and /readyz
 * there never show more than the status.
 * <p>
 * Registered for the management server's own context (META-INF/spring/...ManagementContextConfiguration.imports);
 * the condition keeps component scanning from adding it to the application's context as well.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@Conditional(ManagementCallers.OnManagementServer.class)
public class ManagementCallers {

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> healthCaller(ApiAuth auth) {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                Principal caller = caller(auth, request.getHeader("Authorization"));
                chain.doFilter(caller == null ? request : new HttpServletRequestWrapper(request) {
                    @Override
                    public Principal getUserPrincipal() {
                        return caller;
                    }
                }, response);
            }
        });
        registration.addUrlPatterns("/actuator/health/*");
        return registration;
    }

    /** The caller the API would see, or null for one it would refuse (or can't check right now). */
    static Principal caller(ApiAuth auth, String authorization) {
        try {
            String subject = auth.subject(authorization);
            return () -> subject;
        } catch (ApiAuth.Unauthorized | ApiException refused) {
            return null;
        }
    }

    /** True in the management server's context only. */
    static class OnManagementServer implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return context.getResourceLoader() instanceof WebServerApplicationContext server
                    && "management".equals(server.getServerNamespace());
        }
    }
}
