package io.reelroute.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bearer tokens come in the Authorization header only. A token in a URL ends up in access logs, proxies and the
 * browser's history; one in a form can be posted by another site. And Camel's platform-http turns every query and
 * form parameter into a message header, so {@code ?Authorization=Bearer ...} would reach ApiAuth as if it were the
 * header. So a request with such a parameter (any case) is refused with 400 before any route sees it.
 */
@Component
// After Spring's character encoding filter, which must run before the parameters are read.
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
public class HeaderOnlyTokens extends OncePerRequestFilter {

    /** Where clients put tokens other than the header (RFC 6750 section 2.2 and 2.3), and the header's own name. */
    static final Set<String> TOKEN_PARAMETERS = Set.of("access_token", "authorization");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // Query parameters and, for a form post, the form's fields.
        for (String name : Collections.list(request.getParameterNames())) {
            if (TOKEN_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
                response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                response.getOutputStream().write(("{\"error\": \"send the bearer token in the Authorization header,"
                        + " never as a query or form parameter (" + name.toLowerCase(Locale.ROOT) + ")\"}")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
