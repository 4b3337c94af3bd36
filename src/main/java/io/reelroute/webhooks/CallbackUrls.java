package io.reelroute.webhooks;

import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;

/**
 * Checks a job's {@code callback_url} when the job is created: an absolute URL of at most
 * {@code reelroute.webhooks.max-url-length} characters, https (http only on the embedded default), without
 * user info or fragment. Off the embedded default it also refuses "localhost" and literal IP addresses that are
 * loopback, link-local (the cloud metadata service among them), private or unspecified: the cheap part of keeping
 * the API from being used to reach the deployment's own network. A host name that resolves to such an address
 * is not caught here (see docs/api.md).
 */
@Component
public class CallbackUrls {

    private final boolean embedded;
    private final int maxLength;
    private final WebhookSecret secret;

    @Autowired
    public CallbackUrls(ReelRouteProperties properties, @Value("${reelroute.embedded.enabled:false}") boolean embedded,
            WebhookSecret secret) {
        this(embedded, properties.webhooks().maxUrlLength(), secret);
    }

    public CallbackUrls(boolean embedded, int maxLength, WebhookSecret secret) {
        this.embedded = embedded;
        this.maxLength = maxLength;
        this.secret = secret;
    }

    /**
     * The URL to store, or an {@link IllegalArgumentException} whose message says what is wrong with it (the API
     * answers it as a 400).
     */
    public String check(String url) {
        if (url.length() > maxLength) {
            throw new IllegalArgumentException("callback_url is longer than " + maxLength + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException invalid) {
            throw new IllegalArgumentException("callback_url is not a valid URL: " + invalid.getReason());
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null) {
            throw new IllegalArgumentException("callback_url must be an absolute URL with a host, like https://example.com/hooks/reelroute");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && embedded)) {
            throw new IllegalArgumentException("callback_url must use https" + (embedded ? " or http" : "") + ", not " + scheme);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("callback_url must not carry user info (user:password@)");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("callback_url must not carry a fragment (#...)");
        }
        if (!embedded && privateHost(uri.getHost())) {
            throw new IllegalArgumentException("callback_url must not name localhost or a loopback, link-local or private address");
        }
        if (!secret.present()) {
            throw new IllegalArgumentException("callback_url can't be used: this deployment has no webhook secret (reelroute.webhooks.secret)");
        }
        return url;
    }

    /** "localhost" (and its subdomains) or a literal IP address that is not a public one. */
    static boolean privateHost(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (!literalAddress(name)) {
            return false;
        }
        try {
            // A literal address: parsed without a lookup.
            InetAddress address = InetAddress.getByName(name);
            return address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                    || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocal(address);
        } catch (UnknownHostException notAnAddress) {
            return false;
        }
    }

    private static boolean literalAddress(String name) {
        return name.contains(":") || IDN.toASCII(name).matches("[0-9.]+");
    }

    /** IPv6 unique local addresses (fc00::/7), which Java does not count as site-local. */
    private static boolean uniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
    }
}
