// Keccak-256 (Ethereum: rate 136 bytes, padding 0x01 ... 0x80) over a block-granular stream.
//
// Messages in (AXI4-Stream style): one beat carries one rate block, byte i of the block in
// s_tdata[8i +: 8], with s_tkeep[i] its byte enable. Every beat of a message but the last is a
// full block (s_tkeep all ones); the last beat (s_tlast) carries 0..135 bytes in its low lanes, so
// a message whose length is a non-zero multiple of 136 ends with an empty beat (s_tkeep = 0), as
// AXI4-Stream null bytes allow. The padding is added here.
// s_tid picks one of 2^CTX_W sponge contexts, so blocks of different messages may interleave: the
// host deals messages round-robin over the contexts, which keeps the pipelined permutation full
// even for multi-block messages (a context's next block waits only for its own previous one).
// s_tfirst (a TUSER-class sideband bit) marks a message's first block, which starts from the zero
// state: no context carries hidden state from one message to the next, so blocks left over from
// an abandoned batch can never leak into a new message. s_tuser is the message tag, carried
// through to the digest.
//
// Digests out: m_tdata is the 32-byte digest (byte i in [8i +: 8]), m_tuser its tag, m_tcheck a
// CRC-32 of tag (4 bytes LE) ‖ digest, so the host detects a digest damaged after it left here.
// With CHECK = 1 every permutation of a message runs on two cores in lockstep and is compared
// (keccak_f1600_checked); a disagreement on any of the message's blocks is carried with the
// message (in the sideband, then in its context) to its digest, whose check word is then the CRC
// inverted (CHECK_MISMATCH): the host tells a core fault from link damage, and rejects both.
// Digests of different contexts may leave in any order; the tag says whose digest it is.
// Fault injection (INJECT = 1, simulation only): while inj_valid, the first permutation output of
// the message tagged inj_tag (for a one-block message: its digest; for a longer one, an
// intermediate state) has bit inj_bit flipped as it leaves the main core, before the comparison,
// as a transient fault in the core's last stage would. It fires once after reset.
// Back-pressure: s_tready falls while the core is full or the beat's context still has a block
// in flight; a digest holds on m_tdata until m_tready.
`default_nettype none
module keccak256 #(
    parameter PIPELINED = 1,   // 1: keccak_f1600_pipelined, 0: keccak_f1600_iterative
    parameter CTX_W     = 5,   // log2 of the number of sponge contexts
    parameter TAG_W     = 32,
    parameter CHECK     = 1,   // 1: duplicate core, every permutation compared; 0: none
    parameter INJECT    = 0    // 1: the inj_* fault-injection inputs are live (simulation)
) (
    input  wire              clk,
    input  wire              rst,
    input  wire [1087:0]     s_tdata,
    input  wire [135:0]      s_tkeep,
    input  wire              s_tlast,
    input  wire              s_tfirst,
    input  wire [CTX_W-1:0]  s_tid,
    input  wire [TAG_W-1:0]  s_tuser,
    input  wire              s_tvalid,
    output wire              s_tready,
    output reg  [255:0]      m_tdata,
    output reg  [TAG_W-1:0]  m_tuser,
    output reg  [31:0]       m_tcheck,
    output reg               m_tvalid,
    input  wire              m_tready,
    input  wire              inj_valid,
    input  wire [TAG_W-1:0]  inj_tag,
    input  wire [7:0]        inj_bit
);
    localparam NCTX   = 1 << CTX_W;
    localparam META_W = TAG_W + CTX_W + 2;
    /** XORed into the CRC of a digest whose computation the two cores disagreed on. */
    localparam [31:0] CHECK_MISMATCH = 32'hFFFFFFFF;

    // Sponge state of each context between its blocks; `ctx_err`: the cores disagreed on one of
    // the context's blocks so far; `busy`: the context's previous block is still in the permutation.
    reg [1599:0]   ctx_state [0:NCTX-1];
    reg [NCTX-1:0] ctx_err;
    reg [NCTX-1:0] busy;

    // Byte enables masked in, padding added on the last beat: 0x01 after the last kept byte,
    // 0x80 in byte 135 (0x81 when both fall there).
    wire [1087:0] block;
    genvar i;
    generate
        for (i = 0; i < 136; i = i + 1) begin : g_pad
            wire prev_kept = (i == 0) ? 1'b1 : s_tkeep[i-1];
            wire [7:0] pad = {s_tlast && (i == 135), 6'b0, s_tlast && !s_tkeep[i] && prev_kept};
            assign block[8*i +: 8] = (s_tkeep[i] ? s_tdata[8*i +: 8] : 8'h00) | pad;
        end
    endgenerate

    wire              core_in_valid = s_tvalid && !busy[s_tid];
    wire              core_in_ready;
    wire [1599:0]     core_in_state = (s_tfirst ? 1600'b0 : ctx_state[s_tid]) ^ {512'b0, block};
    // The message's disagreement so far travels with each block: a context may take the next
    // message's first block while this one's last is still in the permutation.
    wire              in_err        = !s_tfirst && ctx_err[s_tid];
    wire [META_W-1:0] core_in_meta  = {s_tuser, s_tid, s_tlast, in_err};
    wire              core_out_valid;
    wire              core_out_ready;
    wire [1599:0]     core_out_state;
    wire [META_W-1:0] core_out_meta;
    wire              core_mismatch;
    wire              o_last = core_out_meta[1];
    wire [CTX_W-1:0]  o_ctx  = core_out_meta[CTX_W+1:2];
    wire [TAG_W-1:0]  o_tag  = core_out_meta[META_W-1 -: TAG_W];
    wire              o_err  = core_out_meta[0] || core_mismatch;

    reg               inj_fired;
    wire              inj_hit  = INJECT != 0 && inj_valid && !inj_fired && core_out_valid && core_out_ready && o_tag == inj_tag;
    wire [1599:0]     inj_mask = {1344'b0, inj_hit ? (256'b1 << inj_bit) : 256'b0};

    assign s_tready       = core_in_ready && !busy[s_tid];
    // Intermediate states always have a home (their context waits for them); only digests can
    // be held up by the consumer.
    assign core_out_ready = !o_last || !m_tvalid || m_tready;

    keccak_f1600_checked #(.PIPELINED(PIPELINED), .CHECK(CHECK), .META_W(META_W)) u_core (
        .clk(clk), .rst(rst),
        .in_valid(core_in_valid), .in_ready(core_in_ready), .in_state(core_in_state), .in_meta(core_in_meta),
        .out_valid(core_out_valid), .out_ready(core_out_ready), .out_state(core_out_state), .out_meta(core_out_meta),
        .out_mismatch(core_mismatch), .inj_mask(inj_mask));

    // CRC-32 (IEEE, reflected, as zlib) of tag (4 bytes LE) ‖ digest (32 bytes).
    function [31:0] check32(input [31:0] tag, input [255:0] digest);
        reg [287:0] d;
        reg [31:0]  c;
        integer     k;
        begin
            d = {digest, tag};
            c = 32'hFFFFFFFF;
            for (k = 0; k < 288; k = k + 1)
                c = (c[0] ^ d[k]) ? ((c >> 1) ^ 32'hEDB88320) : (c >> 1);
            check32 = ~c;
        end
    endfunction

    wire [31:0] o_tag32 = o_tag;  // zero-extends narrower tags

    always @(posedge clk) begin
        if (core_out_valid && core_out_ready && !o_last) ctx_state[o_ctx] <= core_out_state;
    end

    always @(posedge clk) begin
        if (rst) begin
            busy      <= {NCTX{1'b0}};
            ctx_err   <= {NCTX{1'b0}};
            m_tvalid  <= 1'b0;
            inj_fired <= 1'b0;
        end else begin
            if (inj_hit) inj_fired <= 1'b1;
            if (m_tvalid && m_tready) m_tvalid <= 1'b0;
            if (core_out_valid && core_out_ready) begin
                if (o_last) begin
                    m_tvalid <= 1'b1;
                    m_tdata  <= core_out_state[255:0];
                    m_tuser  <= o_tag;
                    m_tcheck <= check32(o_tag32, core_out_state[255:0]) ^ (o_err ? CHECK_MISMATCH : 32'h0);
                end else begin
                    busy[o_ctx]    <= 1'b0;
                    ctx_err[o_ctx] <= o_err;
                end
            end
            // A context busy above cannot be the one accepted here, so the two never collide.
            if (s_tvalid && s_tready) busy[s_tid] <= !s_tlast;
        end
    end
endmodule
`default_nettype wire
