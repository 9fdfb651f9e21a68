// Keccak-f[1600], unrolled and pipelined: 24 round stages, one permutation accepted per clock,
// 24 cycles latency. Same ports as keccak_f1600_iterative.
// Back-pressure: when the last stage holds a result the consumer does not take, the whole pipe
// holds (one global enable); bubbles are not squeezed out, which keeps the control trivial.
`default_nettype none
module keccak_f1600_pipelined #(
    parameter META_W = 8
) (
    input  wire              clk,
    input  wire              rst,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [1599:0]     in_state,
    input  wire [META_W-1:0] in_meta,
    output wire              out_valid,
    input  wire              out_ready,
    output wire [1599:0]     out_state,
    output wire [META_W-1:0] out_meta
);
    localparam N = 24;
    reg  [1599:0]     st   [0:N-1];
    reg  [META_W-1:0] meta [0:N-1];
    reg  [N-1:0]      vld;
    wire en = !vld[N-1] || out_ready;

    assign in_ready  = en;
    assign out_valid = vld[N-1];
    assign out_state = st[N-1];
    assign out_meta  = meta[N-1];

    genvar k;
    generate
        for (k = 0; k < N; k = k + 1) begin : g_stage
            wire [1599:0] next;
            if (k == 0) begin : g_first
                keccak_round u_round (.a(in_state), .round(5'd0), .b(next));
                always @(posedge clk) if (en) begin
                    st[0]   <= next;
                    meta[0] <= in_meta;
                end
                always @(posedge clk) begin
                    if (rst) vld[0] <= 1'b0;
                    else if (en) vld[0] <= in_valid;
                end
            end else begin : g_next
                localparam [4:0] R = k;
                keccak_round u_round (.a(st[k-1]), .round(R), .b(next));
                always @(posedge clk) if (en) begin
                    st[k]   <= next;
                    meta[k] <= meta[k-1];
                end
                always @(posedge clk) begin
                    if (rst) vld[k] <= 1'b0;
                    else if (en) vld[k] <= vld[k-1];
                end
            end
        end
    endgenerate
endmodule
`default_nettype wire
