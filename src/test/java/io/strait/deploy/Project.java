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
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document pom = factory.newDocumentBuilder().parse(dir().resolve("pom.xml").toFile());
            for (Node node = pom.getDocumentElement().getFirstChild(); node != null; node = node.getNextSibling()) {
                if ("version".equals(node.getNodeName())) {
                    return node.getTextContent().trim();
                }
            }
            throw new AssertionError("pom.xml has no <version> under <project>");
        } catch (Exception e) {
            throw new AssertionError("Cannot read pom.xml: " + e, e);
        }
    }
}
