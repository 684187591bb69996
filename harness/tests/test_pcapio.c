/* test_pcapio.c — capture writing and reading: round trips, every supported link type, the
 * packets the reader must skip (with their reasons), damaged and foreign files, and tshark as an
 * independent decoder of what we write. */
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../trace/pcapio.h"
#include "otest.h"

#define TSHARK_SKIP 77

static char dir[256];

/* tmp_path returns dir/name from a ring of buffers, so two results can be used together. */
static const char *tmp_path(const char *name)
{
    static char paths[4][512];
    static unsigned next;
    char *path = paths[next++ % 4];
    snprintf(path, 512, "%s/%s", dir, name);
    return path;
}

static struct oscar_endpoint ep(const char *text)
{
    struct oscar_endpoint e;
    OTEST_OK(oscar_endpoint_parse(&e, text));
    return e;
}

struct sample {
    const char *src;
    const char *dst;
    const char *payload_hex;
};

/* C.4 and C.7 of RFC 8613 as payloads, over IPv4 and IPv6 */
static const struct sample samples[] = {
    {"127.0.0.1:40001", "127.0.0.1:5683",
     "44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e"},
    {"127.0.0.1:5683", "127.0.0.1:40001",
     "64445d1f0000397490ffdbaad1e9a7e7b2a813d3c31524378303cdafae119106"},
    {"[::1]:40002", "[2001:db8::5]:5683",
     "44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e"},
    {"[2001:db8::5]:5683", "[::1]:40002", "60450001"},
};

static size_t unhex(uint8_t *out, const char *hex)
{
    size_t n = 0;
    OTEST_OK(oscar_hex_decode(out, 1024, &n, hex, strlen(hex)));
    return n;
}

static void write_samples(const char *path)
{
    struct oscar_pcap_writer *w;
    struct oscar_diag d;
    OTEST_OK(oscar_pcap_writer_open(&w, path, &d));
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        uint8_t p[1024];
        size_t n = unhex(p, samples[i].payload_hex);
        struct oscar_endpoint s = ep(samples[i].src);
        struct oscar_endpoint t = ep(samples[i].dst);
        OTEST_OK(oscar_pcap_write_udp(w, UINT64_C(1700000000000000) + i * 1500, &s, &t, p, n));
    }
    oscar_pcap_writer_close(w);
}

static void check_samples(const char *path, size_t expect_frames_offset)
{
    struct oscar_pcap_reader *r = NULL;
    struct oscar_diag d = {{0}};
    OTEST_OK(oscar_pcap_reader_open(&r, path, &d));
    if (r == NULL) {
        fprintf(stderr, "    %s\n", d.msg);
        return;
    }
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        struct oscar_datagram g;
        bool done = true;
        OTEST_OK(oscar_pcap_reader_next(r, &g, &done));
        OTEST_CHECK(!done);
        if (done) {
            break;
        }
        uint8_t p[1024];
        size_t n = unhex(p, samples[i].payload_hex);
        struct oscar_endpoint s = ep(samples[i].src);
        struct oscar_endpoint t = ep(samples[i].dst);
        OTEST_CHECK(oscar_endpoint_equal(&s, &g.src));
        OTEST_CHECK(oscar_endpoint_equal(&t, &g.dst));
        OTEST_EQ_BYTES(p, n, g.payload, g.len);
        OTEST_EQ_INT(i + 1 + expect_frames_offset, g.frame);
        OTEST_EQ_INT(UINT64_C(1700000000000000) + i * 1500, g.usec);
    }
    struct oscar_datagram g;
    bool done = false;
    OTEST_OK(oscar_pcap_reader_next(r, &g, &done));
    OTEST_CHECK(done);
    OTEST_CHECK(oscar_pcap_reader_damage(r) == NULL);
    oscar_pcap_reader_close(r);
}

static void test_roundtrip_raw(void)
{
    write_samples(tmp_path("raw.pcap"));
    check_samples(tmp_path("raw.pcap"), 0);
}

static void test_endpoint_text(void)
{
    struct oscar_endpoint e;
    char buf[64];
    OTEST_OK(oscar_endpoint_parse(&e, "[fe80::1]:65535"));
    oscar_endpoint_format(buf, sizeof(buf), &e);
    OTEST_EQ_BYTES("[fe80::1]:65535", 15, buf, strlen(buf));
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_endpoint_parse(&e, "127.0.0.1:65536"));
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_endpoint_parse(&e, "127.0.0.1"));
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_endpoint_parse(&e, "[::1:5683"));
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_endpoint_parse(&e, "999.0.0.1:1"));
}

/* rewrap copies the raw-IP records of src into a capture of link type lt, prefixing hdr_len
 * bytes built by fill(). extra appends non-UDP packets the reader must skip. */
typedef size_t (*fill_fn)(uint8_t *hdr, const uint8_t *ip);

static void rewrap(const char *src, const char *dst, int lt, fill_fn fill, bool with_noise)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(src, err);
    OTEST_CHECK(in != NULL);
    if (in == NULL) {
        return;
    }
    pcap_t *dead = pcap_open_dead(lt, 262144);
    pcap_dumper_t *out = pcap_dump_open(dead, dst);
    OTEST_CHECK(out != NULL);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint8_t frame[2048];
    while (pcap_next_ex(in, &h, &data) == 1) {
        size_t n = fill(frame, data);
        memcpy(frame + n, data, h->caplen);
        struct pcap_pkthdr oh = *h;
        oh.caplen += (bpf_u_int32)n;
        oh.len += (bpf_u_int32)n;
        pcap_dump((u_char *)out, &oh, frame);
    }
    if (with_noise) {
        /* a TCP segment (IPv4 proto 6) and an IPv4 first fragment */
        static const uint8_t tcp[40] = {0x45, 0, 0,   40, 0, 0, 0x40, 0, 64, 6,
                                        0,    0, 127, 0,  0, 1, 127,  0, 0,  1};
        static const uint8_t frag[28] = {0x45, 0,    0,    28,   0, 0, 0x20, 0, 64, 17,
                                         0,    0,    127,  0,    0, 1, 127,  0, 0,  1,
                                         0x9c, 0x41, 0x16, 0x33, 0, 8, 0,    0};
        const uint8_t *noise[2] = {tcp, frag};
        size_t lens[2] = {sizeof(tcp), sizeof(frag)};
        for (int k = 0; k < 2; k++) {
            size_t n = fill(frame, noise[k]);
            memcpy(frame + n, noise[k], lens[k]);
            struct pcap_pkthdr oh = {0};
            oh.caplen = (bpf_u_int32)(n + lens[k]);
            oh.len = oh.caplen;
            pcap_dump((u_char *)out, &oh, frame);
        }
    }
    pcap_dump_close(out);
    pcap_close(dead);
    pcap_close(in);
}

static uint16_t ethertype_of(const uint8_t *ip)
{
    return (ip[0] >> 4) == 6 ? 0x86DD : 0x0800;
}

static size_t fill_eth(uint8_t *h, const uint8_t *ip)
{
    memset(h, 0, 12);
    h[12] = (uint8_t)(ethertype_of(ip) >> 8);
    h[13] = (uint8_t)ethertype_of(ip);
    return 14;
}

static size_t fill_vlan(uint8_t *h, const uint8_t *ip)
{
    memset(h, 0, 12);
    h[12] = 0x81;
    h[13] = 0x00;
    h[14] = 0x00;
    h[15] = 0x05;
    h[16] = (uint8_t)(ethertype_of(ip) >> 8);
    h[17] = (uint8_t)ethertype_of(ip);
    return 18;
}

static size_t fill_sll(uint8_t *h, const uint8_t *ip)
{
    memset(h, 0, 14);
    h[14] = (uint8_t)(ethertype_of(ip) >> 8);
    h[15] = (uint8_t)ethertype_of(ip);
    return 16;
}

static size_t fill_sll2(uint8_t *h, const uint8_t *ip)
{
    memset(h, 0, 20);
    h[0] = (uint8_t)(ethertype_of(ip) >> 8);
    h[1] = (uint8_t)ethertype_of(ip);
    return 20;
}

static size_t fill_null(uint8_t *h, const uint8_t *ip)
{
    uint32_t fam = (ip[0] >> 4) == 6 ? 30 : 2;
    memcpy(h, &fam, 4);
    return 4;
}

static void test_every_link_type(void)
{
    write_samples(tmp_path("src.pcap"));
    static const struct {
        int lt;
        fill_fn fill;
        const char *name;
    } kinds[] = {{DLT_EN10MB, fill_eth, "eth.pcap"},
                 {DLT_EN10MB, fill_vlan, "vlan.pcap"},
                 {DLT_LINUX_SLL, fill_sll, "sll.pcap"},
                 {276, fill_sll2, "sll2.pcap"},
                 {DLT_NULL, fill_null, "null.pcap"}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        rewrap(tmp_path("src.pcap"), tmp_path(kinds[i].name), kinds[i].lt, kinds[i].fill, false);
        check_samples(tmp_path(kinds[i].name), 0);
    }
}

static void test_skips_are_counted(void)
{
    write_samples(tmp_path("src2.pcap"));
    rewrap(tmp_path("src2.pcap"), tmp_path("noise.pcap"), DLT_EN10MB, fill_eth, true);
    struct oscar_pcap_reader *r;
    struct oscar_diag d;
    OTEST_OK(oscar_pcap_reader_open(&r, tmp_path("noise.pcap"), &d));
    size_t got = 0;
    for (;;) {
        struct oscar_datagram g;
        bool done;
        OTEST_OK(oscar_pcap_reader_next(r, &g, &done));
        if (done) {
            break;
        }
        got++;
    }
    OTEST_EQ_INT(4, got);
    OTEST_EQ_INT(1, oscar_pcap_reader_skipped(r, OSCAR_PCAP_SKIP_NOT_UDP));
    OTEST_EQ_INT(1, oscar_pcap_reader_skipped(r, OSCAR_PCAP_SKIP_FRAGMENT));
    oscar_pcap_reader_close(r);
}

static void test_damaged_and_foreign_files(void)
{
    struct oscar_pcap_reader *r = NULL;
    struct oscar_diag d;
    /* a capture cut in the middle of its last record: earlier datagrams survive */
    write_samples(tmp_path("cut.pcap"));
    FILE *f = fopen(tmp_path("cut.pcap"), "r+b");
    OTEST_CHECK(f != NULL);
    if (f != NULL) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fclose(f);
        OTEST_CHECK(truncate(tmp_path("cut.pcap"), size - 5) == 0);
    }
    OTEST_OK(oscar_pcap_reader_open(&r, tmp_path("cut.pcap"), &d));
    size_t got = 0;
    for (;;) {
        struct oscar_datagram g;
        bool done;
        OTEST_OK(oscar_pcap_reader_next(r, &g, &done));
        if (done) {
            break;
        }
        got++;
    }
    OTEST_EQ_INT(3, got);
    OTEST_CHECK(oscar_pcap_reader_damage(r) != NULL);
    oscar_pcap_reader_close(r);
    /* garbage */
    f = fopen(tmp_path("garbage.pcap"), "wb");
    if (f != NULL) {
        fputs("this is not a capture file at all", f);
        fclose(f);
    }
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_pcap_reader_open(&r, tmp_path("garbage.pcap"), &d));
    OTEST_CHECK(strstr(d.msg, "garbage.pcap") != NULL);
    /* a link type we do not read */
    pcap_t *dead = pcap_open_dead(DLT_IEEE802_11, 65535);
    pcap_dumper_t *out = pcap_dump_open(dead, tmp_path("wifi.pcap"));
    pcap_dump_close(out);
    pcap_close(dead);
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_pcap_reader_open(&r, tmp_path("wifi.pcap"), &d));
    OTEST_CHECK(strstr(d.msg, "IEEE802_11") != NULL);
    OTEST_ERR(OSCAR_ERR_PARSE, oscar_pcap_reader_open(&r, tmp_path("missing.pcap"), &d));
}

static void test_tshark_reads_what_we_write(void)
{
    /* An independent decoder: tshark must see valid UDP checksums (udp.checksum.status 1 =
     * good; 0 would be bad, 2 unverified) and the CoAP codes (2 = POST, 68 = 2.04, 69 = 2.05). */
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        printf("SKIP tshark not installed\n");
        return;
    }
    write_samples(tmp_path("tshark.pcap"));
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "tshark -r %s -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE "
             "-d udp.port==5683,coap -T fields -E separator=, -e udp.srcport -e udp.dstport "
             "-e udp.checksum.status -e coap.code 2>/dev/null",
             tmp_path("tshark.pcap"));
    FILE *p = popen(cmd, "r");
    OTEST_CHECK(p != NULL);
    if (p == NULL) {
        return;
    }
    static const char *const want[] = {"40001,5683,1,2", "5683,40001,1,68", "40002,5683,1,2",
                                       "5683,40002,1,69"};
    char line[256];
    size_t i = 0;
    while (fgets(line, sizeof(line), p) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        OTEST_CHECK(i < 4);
        if (i < 4) {
            OTEST_EQ_BYTES(want[i], strlen(want[i]), line, strlen(line));
        }
        i++;
    }
    OTEST_EQ_INT(0, pclose(p));
    OTEST_EQ_INT(4, i);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    snprintf(dir, sizeof(dir), "/tmp/oscar-test-pcapio-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    OTEST_RUN(test_endpoint_text);
    OTEST_RUN(test_roundtrip_raw);
    OTEST_RUN(test_every_link_type);
    OTEST_RUN(test_skips_are_counted);
    OTEST_RUN(test_damaged_and_foreign_files);
    OTEST_RUN(test_tshark_reads_what_we_write);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
    return otest_finish();
}
