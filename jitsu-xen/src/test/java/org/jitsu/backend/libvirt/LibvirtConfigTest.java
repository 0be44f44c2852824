package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.jitsu.backend.Backend;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Backend settings and service specs: valid ones are accepted, every error names its key. Nothing connects. */
@Tag("native")
class LibvirtConfigTest {
    @TempDir
    Path dir;

    private final Scheduler timer = Schedulers.newSingle("test-timer");
    private Backend backend;

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        timer.dispose();
    }

    private Backend create(Map<String, Object> settings) {
        backend = new LibvirtBackendFactory().create("lab", Settings.of("backends.lab", settings), new BackendContext(dir, timer));
        return backend;
    }

    private static Map<String, Object> with(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("type", "libvirt");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private ConfigException backendError(Map<String, Object> settings) {
        try {
            create(settings);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + settings);
    }

    @Test
    void factoryIsFoundByServiceLoader() {
        assertThat(ServiceLoader.load(BackendFactory.class).stream().map(p -> p.get().type()))
                .contains("libvirt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xen:///system", "qemu:///system", "qemu:///session", "qemu:///embed?root=/var/lib/jitsu/qemu",
            "test:///default", "test:///srv/node.xml", "qemu+ssh://root@10.0.0.5/system"})
    void acceptsLibvirtUris(String uri) {
        Backend b = create(with("uri", uri));
        assertThat(b.type()).isEqualTo("libvirt");
        assertThat(b.name()).isEqualTo("lab");
    }

    @Test
    void defaultsAndKeepaliveRules() {
        LibvirtSettings s = LibvirtSettings.parse(Settings.of("b", with("uri", "xen:///system")));
        assertThat(s.threads()).isEqualTo(4);
        assertThat(s.keepalive()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.remote()).isTrue();
        assertThat(LibvirtSettings.parse(Settings.of("b", with("uri", "test:///default"))).remote()).isFalse();
        assertThat(LibvirtSettings.parse(Settings.of("b", with("uri", "qemu:///embed?root=/x"))).remote()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.test/", "xen", "lxc:///", "test:///relative", "qemu:///embed", "qemu:///embed?root=rel",
            "xen:///system#frag", "test://"})
    void rejectsOtherUris(String uri) {
        ConfigException e = backendError(with("uri", uri));
        assertThat(e.key()).isEqualTo("backends.lab.uri");
        assertThat(e.getMessage()).contains(uri).contains("expected: a libvirt URI");
    }

    @Test
    void backendSettingErrorsNameTheKey() {
        assertThat(backendError(with()).key()).isEqualTo("backends.lab.uri");
        assertThat(backendError(with("uri", "test:///default", "threads", 0)).getMessage())
                .isEqualTo("backends.lab.threads: 0 (expected: an integer from 1 to 256)");
        assertThat(backendError(with("uri", "test:///default", "keepalive", "1500ms")).getMessage())
                .startsWith("backends.lab.keepalive: 1500ms (expected: a whole number of seconds");
        assertThat(backendError(with("uri", "test:///default", "keepalive", "0s")).key()).isEqualTo("backends.lab.keepalive");
        assertThat(backendError(with("uri", "test:///default", "url", "x")).key()).isEqualTo("backends.lab.url");
    }

    private ConfigException specError(Map<String, ?> spec) {
        Backend b = backend != null ? backend : create(with("uri", "test:///default"));
        try {
            b.define("www", TestNode.spec(3, spec));
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + spec);
    }

    @Test
    void exactlyOneOfDomainOrTemplate() {
        assertThat(specError(Map.of()).key()).isEqualTo("services[3].libvirt.domain");
        ConfigException both = specError(Map.of("domain", "www", "template", TestNode.template("minimal.xml")));
        assertThat(both.key()).isEqualTo("services[3].libvirt.template");
        assertThat(both.getMessage()).contains("exactly one of domain");
        assertThat(specError(Map.of("domain", "www", "vars", Map.of("a", 1))).key()).isEqualTo("services[3].libvirt.vars");
        assertThat(specError(Map.of("domain", "www", "uuid", "x")).key()).isEqualTo("services[3].libvirt.uuid");
    }

    @Test
    void placeholderWithoutValueNamesTheVar() {
        ConfigException e = specError(Map.of("template", TestNode.template("xen-pv.xml"),
                "vars", Map.of("memory", 32768, "vcpus", 1, "cmdline", "")));
        assertThat(e.key()).isEqualTo("services[3].libvirt.vars.kernel");
        assertThat(e.getMessage()).contains("${kernel}").contains("xen-pv.xml");
    }

    @Test
    void unusedVarIsAnError() {
        ConfigException e = specError(Map.of("template", TestNode.template("minimal.xml"), "vars", Map.of("kernal", "/k")));
        assertThat(e.key()).isEqualTo("services[3].libvirt.vars.kernal");
        assertThat(e.getMessage()).contains("name");
    }

    @Test
    void varsMustBeScalars() {
        ConfigException e = specError(Map.of("template", TestNode.template("minimal.xml"), "vars", Map.of("name", Map.of())));
        assertThat(e.key()).isEqualTo("services[3].libvirt.vars.name");
    }

    @Test
    void templateFileErrorsNameTheTemplateKey() throws IOException {
        ConfigException missing = specError(Map.of("template", dir.resolve("nope.xml").toString()));
        assertThat(missing.key()).isEqualTo("services[3].libvirt.template");
        assertThat(missing.getMessage()).contains("nope.xml").contains("readable");

        Path broken = Files.writeString(dir.resolve("broken.xml"), "<domain type='xen'><name>${name}</name>");
        assertThat(specError(Map.of("template", broken.toString())).getMessage()).contains("well-formed");

        Path noName = Files.writeString(dir.resolve("noname.xml"), "<domain type='xen'><memory>1</memory></domain>");
        assertThat(specError(Map.of("template", noName.toString())).getMessage()).contains("<name>");

        Path notDomain = Files.writeString(dir.resolve("net.xml"), "<network><name>${name}</name></network>");
        assertThat(specError(Map.of("template", notDomain.toString())).getMessage()).contains("<domain type=");

        Path stray = Files.writeString(dir.resolve("stray.xml"), "<domain type='xen'><name>${name}</name><x>${ bad }</x></domain>");
        ConfigException s = specError(Map.of("template", stray.toString()));
        assertThat(s.key()).isEqualTo("services[3].libvirt.template");
        assertThat(s.getMessage()).contains("${ bad");

        Path doctype = Files.writeString(dir.resolve("xxe.xml"),
                "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='xen'><name>&x;</name></domain>");
        assertThat(specError(Map.of("template", doctype.toString())).getMessage()).contains("well-formed");
    }

    @Test
    void rendersNameDefaultMacAndEscapesValues() {
        Backend b = create(with("uri", "test:///default"));
        LibvirtVm vm = (LibvirtVm) b.define("svc-1", TestNode.spec(0, Map.of("template", TestNode.template("minimal.xml"))));
        assertThat(vm.id()).isEqualTo("svc-1");
        DomainSpec.Template t = (DomainSpec.Template) vm.spec();
        assertThat(t.xml()).contains("<name>svc-1</name>");
        assertThat(DomainTemplate.escape("a<b & 'c'")).isEqualTo("a&lt;b &amp; &apos;c&apos;");
        assertThat(DomainTemplate.macFor("svc-1")).matches("02(:[0-9a-f]{2}){5}").isEqualTo(DomainTemplate.macFor("svc-1"))
                .isNotEqualTo(DomainTemplate.macFor("svc-2"));
    }

    @Test
    void aSharedTemplateGivesEachServiceTheNameUuidAndXmlThatRenderingWouldGive() throws IOException {
        Path file = Files.writeString(dir.resolve("shared.xml"), String.join("\n",
                "<domain type='xen'>",
                "  <name>vm-${name}</name>",
                "  <uuid> ${uuid} </uuid>",
                "  <description>${note} &amp; more</description>",
                "  <devices><interface type='bridge'><mac address='${mac}'/></interface></devices>",
                "</domain>"));
        Backend b = create(with("uri", "test:///default"));
        for (int i = 0; i < 3; i++) {
            String uuid = "0000000" + i + "-0000-4000-8000-000000000000";
            Map<String, Object> vars = Map.of("uuid", uuid, "note", "a<b & 'c'");
            LibvirtVm vm = (LibvirtVm) b.define("svc-" + i, TestNode.spec(i, Map.of("template", file.toString(),
                    "vars", vars)));
            DomainSpec.Template t = (DomainSpec.Template) vm.spec();
            assertThat(t.name()).isEqualTo("vm-svc-" + i);
            assertThat(vm.id()).isEqualTo("vm-svc-" + i);
            assertThat(t.uuid()).contains(uuid);
            assertThat(t.xml()).contains("<name>vm-svc-" + i + "</name>")
                    .contains("<description>a&lt;b &amp; &apos;c&apos; &amp; more</description>")
                    .contains("address='" + DomainTemplate.macFor("svc-" + i) + "'");
            // the same as rendering and parsing this service's XML on its own
            DomainSpec.Template alone = DomainTemplate.load("svc-" + i, TestNode.spec(i, Map.of("template",
                    file.toString(), "vars", vars)));
            assertThat(alone.name()).isEqualTo(t.name());
            assertThat(alone.uuid()).isEqualTo(t.uuid());
            assertThat(alone.xml()).isEqualTo(t.xml());
        }
    }

    @Test
    void aPlaceholderOutsideTextAndAttributeValuesIsRenderedAndParsedPerService() throws IOException {
        Path comment = Files.writeString(dir.resolve("comment.xml"),
                "<domain type='xen'><!-- for ${name} --><name>${name}</name></domain>");
        Backend b = create(with("uri", "test:///default"));
        LibvirtVm vm = (LibvirtVm) b.define("web", TestNode.spec(0, Map.of("template", comment.toString())));
        assertThat(vm.id()).isEqualTo("web");
        assertThat(((DomainSpec.Template) vm.spec()).xml()).contains("<!-- for web -->");

        Path element = Files.writeString(dir.resolve("element.xml"),
                "<domain type='xen'><name>${name}</name><${tag}/></domain>");
        ConfigException e = specError(Map.of("template", element.toString(), "vars", Map.of("tag", "a b")));
        assertThat(e.key()).isEqualTo("services[3].libvirt.template");
        assertThat(e.getMessage()).contains("well-formed");
        LibvirtVm ok = (LibvirtVm) b.define("api", TestNode.spec(1, Map.of("template", element.toString(),
                "vars", Map.of("tag", "memory"))));
        assertThat(((DomainSpec.Template) ok.spec()).xml()).contains("<memory/>");
    }

    @Test
    void aChangedTemplateFileIsReadAgain() throws IOException {
        Path file = Files.writeString(dir.resolve("changing.xml"), "<domain type='xen'><name>a-${name}</name></domain>");
        Backend b = create(with("uri", "test:///default"));
        assertThat(b.define("one", TestNode.spec(0, Map.of("template", file.toString()))).id()).isEqualTo("a-one");
        Files.writeString(file, "<domain type='xen'><name>bb-${name}</name></domain>");
        assertThat(b.define("two", TestNode.spec(1, Map.of("template", file.toString()))).id()).isEqualTo("bb-two");
    }

    @Test
    void twoServicesCannotShareADomain() {
        Backend b = create(with("uri", "test:///default"));
        b.define("a", TestNode.spec(0, Map.of("domain", "shared")));
        ConfigException e = null;
        try {
            b.define("b", TestNode.spec(1, Map.of("domain", "shared")));
        } catch (ConfigException x) {
            e = x;
        }
        assertThat(e).isNotNull();
        assertThat(e.key()).isEqualTo("services[1].libvirt.domain");
        assertThat(e.getMessage()).contains("service a");
    }

    @Test
    void uuidsAreRecognised() {
        Backend b = create(with("uri", "test:///default"));
        LibvirtVm vm = (LibvirtVm) b.define("u", TestNode.spec(0, Map.of("domain", "6695EB01-F6A4-8304-79AA-97F2502E193F")));
        assertThat(vm.spec()).isEqualTo(new DomainSpec.Existing("6695eb01-f6a4-8304-79aa-97f2502e193f", true));
        assertThat(vm.spec().matches("any", "6695eb01f6a4830479aa97f2502e193f")).isTrue();
        assertThat(vm.spec().matches("6695eb01-f6a4-8304-79aa-97f2502e193f", "00000000-0000-0000-0000-000000000000")).isFalse();
        assertThatThrownBy(() -> b.define("v", TestNode.spec(1, Map.of("domain", "")))).isInstanceOf(ConfigException.class);
    }
}
