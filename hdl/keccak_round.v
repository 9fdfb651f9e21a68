// One Keccak-f[1600] round (theta, rho, pi, chi, iota), purely combinational.
// State layout: lane (x, y) is bits [64*(x+5y) +: 64], little-endian, so state byte i is bits
// [8i +: 8] — the byte order of the sponge, which lets the rate block be XORed in directly.
`default_nettype none
module keccak_round (
    input  wire [1599:0] a,
    input  wire [4:0]    round,
    output wire [1599:0] b
);
    // Rotation offsets r[x][y], indexed as x + 5y.
    function integer rho_off(input integer i);
        case (i)
            0: rho_off = 0;   1: rho_off = 1;   2: rho_off = 62;  3: rho_off = 28;  4: rho_off = 27;
            5: rho_off = 36;  6: rho_off = 44;  7: rho_off = 6;   8: rho_off = 55;  9: rho_off = 20;
            10: rho_off = 3;  11: rho_off = 10; 12: rho_off = 43; 13: rho_off = 25; 14: rho_off = 39;
            15: rho_off = 41; 16: rho_off = 45; 17: rho_off = 15; 18: rho_off = 21; 19: rho_off = 8;
            20: rho_off = 18; 21: rho_off = 2;  22: rho_off = 61; 23: rho_off = 56; 24: rho_off = 14;
            default: rho_off = 0;
        endcase
    endfunction

    function [63:0] rc(input [4:0] r);
        case (r)
            5'd0:  rc = 64'h0000000000000001; 5'd1:  rc = 64'h0000000000008082;
            5'd2:  rc = 64'h800000000000808A; 5'd3:  rc = 64'h8000000080008000;
            5'd4:  rc = 64'h000000000000808B; 5'd5:  rc = 64'h0000000080000001;
            5'd6:  rc = 64'h8000000080008081; 5'd7:  rc = 64'h8000000000008009;
            5'd8:  rc = 64'h000000000000008A; 5'd9:  rc = 64'h0000000000000088;
            5'd10: rc = 64'h0000000080008009; 5'd11: rc = 64'h000000008000000A;
            5'd12: rc = 64'h000000008000808B; 5'd13: rc = 64'h800000000000008B;
            5'd14: rc = 64'h8000000000008089; 5'd15: rc = 64'h8000000000008003;
            5'd16: rc = 64'h8000000000008002; 5'd17: rc = 64'h8000000000000080;
            5'd18: rc = 64'h000000000000800A; 5'd19: rc = 64'h800000008000000A;
            5'd20: rc = 64'h8000000080008081; 5'd21: rc = 64'h8000000000008080;
            5'd22: rc = 64'h0000000080000001; 5'd23: rc = 64'h8000000080008008;
            default: rc = 64'h0;
        endcase
    endfunction

    wire [63:0] c [0:4];   // column parities
    wire [63:0] d [0:4];   // theta effect per column
    wire [63:0] p [0:24];  // after rho and pi, indexed x + 5y
    genvar x, y;
    generate
        for (x = 0; x < 5; x = x + 1) begin : g_col
            assign c[x] = a[64*x +: 64] ^ a[64*(x+5) +: 64] ^ a[64*(x+10) +: 64]
                        ^ a[64*(x+15) +: 64] ^ a[64*(x+20) +: 64];
        end
        for (x = 0; x < 5; x = x + 1) begin : g_d
            assign d[x] = c[(x+4)%5] ^ {c[(x+1)%5][62:0], c[(x+1)%5][63]};
        end
        for (y = 0; y < 5; y = y + 1) begin : g_rp_y
            for (x = 0; x < 5; x = x + 1) begin : g_rp_x
                // B[y][2x+3y] = rot(A[x][y] ^ D[x], r[x][y])
                wire [63:0] t = a[64*(x+5*y) +: 64] ^ d[x];
                if (rho_off(x+5*y) == 0) begin : g_norot
                    assign p[y + 5*((2*x+3*y)%5)] = t;
                end else begin : g_rot
                    assign p[y + 5*((2*x+3*y)%5)] = {t[63-rho_off(x+5*y):0], t[63:64-rho_off(x+5*y)]};
                end
            end
        end
        for (y = 0; y < 5; y = y + 1) begin : g_chi_y
            for (x = 0; x < 5; x = x + 1) begin : g_chi_x
                wire [63:0] v = p[x+5*y] ^ (~p[(x+1)%5 + 5*y] & p[(x+2)%5 + 5*y]);
                if (x == 0 && y == 0) begin : g_iota
                    assign b[63:0] = v ^ rc(round);
                end else begin : g_plain
                    assign b[64*(x+5*y) +: 64] = v;
                end
            end
        end
    endgenerate
endmodule
`default_nettype wire
