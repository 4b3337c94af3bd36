package io.reelroute.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** The tools some tests need (moto_server, kubectl, terraform), found on the PATH as a shell would. */
public final class Executables {

    private Executables() {
    }

    /** The first executable {@code name} on the PATH, or empty. */
    public static Optional<Path> onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }
}
