// Keccak-f[1600], iterative: one round per clock, one permutation in flight, 24 cycles latency.
// The small variant. Ports are identical to keccak_f1600_pipelined so the sponge takes either.
// A permutation's result waits in the state register until out_ready; a new one is accepted in
// the same cycle the previous result leaves.
`default_nettype none
module keccak_f1600_iterative #(
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
    reg [1599:0]     st;
    reg [META_W-1:0] meta;
    reg [4:0]        rnd;      // next round to apply
    reg              running;
    reg              done;

    wire load = in_valid && in_ready;
    wire [1599:0] next;
    keccak_round u_round (.a(load ? in_state : st), .round(load ? 5'd0 : rnd), .b(next));

    assign in_ready  = !running && (!done || out_ready);
    assign out_valid = done;
    assign out_state = st;
    assign out_meta  = meta;

    always @(posedge clk) begin
        if (rst) begin
            running <= 1'b0;
            done    <= 1'b0;
            rnd     <= 5'd0;
        end else if (load) begin
            st      <= next;
            meta    <= in_meta;
            rnd     <= 5'd1;
            running <= 1'b1;
            done    <= 1'b0;
        end else if (running) begin
            st  <= next;
            rnd <= rnd + 5'd1;
            if (rnd == 5'd23) begin
                running <= 1'b0;
                done    <= 1'b1;
            end
        end else if (done && out_ready) begin
            done <= 1'b0;
        end
    end
endmodule
`default_nettype wire
