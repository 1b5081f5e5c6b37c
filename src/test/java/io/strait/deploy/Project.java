package io.strait.deploy;

import org.w3c.dom.Document;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;

/** Facts about the project under test, read from its files (tests run in the project directory). */
final class Project {

    private Project() {
    }

    /** The project directory: Surefire and Failsafe run tests there. */
    static Path dir() {
        return Path.of("").toAbsolutePath();
    }

    /** The version in pom.xml ({@code /project/version}). */
    static String version() {
        return child(pom(), "version", "<version> under <project>").getTextContent().trim();
    }

    /** A property of pom.xml ({@code /project/properties/<name>}), as written there. */
    static String property(String name) {
        Node properties = child(pom(), "properties", "<properties> under <project>");
        return child(properties, name, "property " + name).getTextContent().trim();
    }

    private static Node pom() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document pom = factory.newDocumentBuilder().parse(dir().resolve("pom.xml").toFile());
            return pom.getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("Cannot read pom.xml: " + e, e);
        }
    }

    private static Node child(Node parent, String name, String what) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (name.equals(node.getNodeName())) {
                return node;
            }
        }
        throw new AssertionError("pom.xml has no " + what);
    }
}
