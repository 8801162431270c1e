"""Java: Maven, Gradle and plain javac builds; Temurin JRE (or distroless) runtimes; Spring Boot layers.

``facts`` reads pom.xml and build.gradle(.kts), ``commands`` reads ``mvn``,
``gradle``, ``javac`` and ``java`` command lines, ``detector`` detects and picks the
Java major, ``start`` decides what the runtime holds and starts, ``language`` the
planning hooks (loaded only when Java is the language a conversion plans for).
"""
